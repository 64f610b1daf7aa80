#include <stdio.h>
int main(void) { puts("yishi: not built yet"); return 1; }
