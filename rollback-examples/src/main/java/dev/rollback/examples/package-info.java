/** Runnable examples: each scenario system as a program, starting with a drill on embedded defaults. */
package dev.rollback.examples;
