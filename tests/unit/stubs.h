/*
 * What the unit tests need of main.c, which they do not link: nothing
 * now that commands return CMD_USAGE instead of calling into main.c.
 */
