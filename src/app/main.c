#include <stdio.h>
int main(void)
{
	puts("behalf");
	return 0;
}
