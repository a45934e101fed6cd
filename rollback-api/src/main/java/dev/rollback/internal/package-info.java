/** Implementation details: not API, may change in any release. */
package dev.rollback.internal;
