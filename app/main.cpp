#include "app/dispatch.h"

int main(int argc, char** argv) { return rawbackup::run_main(argc, argv); }
