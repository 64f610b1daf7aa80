#include <stdio.h>
int main(void) { puts("yishi-node: not built yet"); return 1; }
