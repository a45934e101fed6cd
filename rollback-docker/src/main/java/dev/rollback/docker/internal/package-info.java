/** How the container targets call the docker CLI and compose; not API, may change at any time. */
package dev.rollback.docker.internal;
