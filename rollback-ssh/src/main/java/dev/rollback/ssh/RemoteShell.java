package dev.rollback.ssh;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The few fixed shell scripts an {@link SshHost} runs on the server, and the quoting that hands
 * them their arguments. No script is ever built from input: every value (program, arguments,
 * working folder) travels as a single-quoted positional parameter of {@code /bin/sh -c SCRIPT},
 * and environment values travel on standard input, never on the command line that {@code ps}
 * shows to other users of the server.
 *
 * <p>Stateless and thread-safe.
 */
final class RemoteShell {

    /** Starts the first line the wrapper writes to standard error; never shown to callers. */
    static final String MARKER = "rollback-ssh-7f3c:";

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** Sets f=1 if the program $1 is on the PATH, or is an executable file. */
    private static final String FIND = "p=$1; f=; case $p in */*) if [ -f \"$p\" ] && [ -x \"$p\" ]; then f=1; fi;; "
            + "*) o=$IFS; IFS=:; for d in $PATH; do if [ -n \"$d\" ] && [ -f \"$d/$p\" ] && [ -x \"$d/$p\" ]; then "
            + "f=1; break; fi; done; IFS=$o;; esac; ";

    /** Exits 0 if the program {@code $1} is on the PATH, or is an executable file; 1 if not. */
    static final String HAS_PROGRAM = "set -f; " + FIND + "[ -n \"$f\" ]";

    /**
     * Runs {@code "$@"} after: refusing to go on when it has variables to set and {@code printf} is
     * not a builtin of the server's {@code /bin/sh} (their values would show in the process list),
     * reading {@code $2} lines of variable assignments from standard input
     * (one byte at a time, so the command still gets the rest of its input), changing to the folder
     * {@code $1} when it is not empty, and checking that the program is on the PATH or is an
     * executable file. It reports on standard error, in one first line, either its pid (which the
     * command keeps through {@code exec}) or why it did not start.
     */
    static final String EXEC = "set -f; w=$1; n=$2; shift 2; "
            // the assignments below pass values (passwords) to printf: only a builtin keeps them off process lists
            + "if [ \"$n\" -gt 0 ]; then case $(command -v printf) in printf) ;; *) echo '" + MARKER + "noprintf' >&2; "
            + "exit 125;; esac; fi; "
            + "while [ \"$n\" -gt 0 ]; do IFS= read -r l || exit 125; eval \"$l\"; n=$((n-1)); done; "
            + "if [ -n \"$w\" ]; then cd \"$w\" 2>/dev/null || { printf '%s\\n' '" + MARKER + "nodir' >&2; exit 126; }; fi; "
            + FIND + "if [ -z \"$f\" ]; then printf '%s\\n' \"" + MARKER + "noprogram:$PATH\" >&2; exit 127; fi; "
            + "printf '%s\\n' \"" + MARKER + "pid:$$\" >&2; exec \"$@\"";

    /**
     * Stops the process {@code $1} and every process below it (from the top, so none can start a new
     * child meanwhile), then kills them all: the remote half of a timeout. The status files go
     * through {@code cat}, which passes over a process that ended since the glob was expanded
     * (mawk, Debian's awk, would stop at it and miss every child listed after it).
     */
    static final String KILL_TREE = "kids() { if [ -r /proc/self/status ]; then "
            + "cat /proc/[0-9]*/status 2>/dev/null | awk -v p=\"$1\" '/^Pid:/{i=$2} /^PPid:/{if ($2==p) print i}'; "
            + "else ps -e -o pid= -o ppid= | awk -v p=\"$1\" '$2==p{print $1}'; fi; }; "
            + "t=$1; all=$1; kill -STOP \"$1\" 2>/dev/null; "
            + "while [ -n \"$t\" ]; do n=; for p in $t; do for c in $(kids \"$p\"); do kill -STOP \"$c\" 2>/dev/null; n=\"$n $c\"; done; done; "
            + "all=\"$all $n\"; t=$n; done; kill -KILL $all 2>/dev/null; exit 0";

    /** Prints the path of the first SFTP server program found, for SFTP as root through sudo. */
    static final String FIND_SFTP_SERVER = "for p in /usr/lib/openssh/sftp-server /usr/libexec/openssh/sftp-server "
            + "/usr/lib/ssh/sftp-server /usr/libexec/sftp-server /usr/lib/sftp-server; do "
            + "if [ -x \"$p\" ]; then printf '%s\\n' \"$p\"; exit 0; fi; done; exit 1";

    private RemoteShell() {}

    /** One argument quoted for a POSIX shell: it reaches the program exactly as given. */
    static String quote(String arg) {
        return "'" + arg.replace("'", "'\\''") + "'";
    }

    /** A command line running {@code script} with the given positional parameters, each quoted. */
    static String line(List<String> prefix, String script, List<String> params) {
        List<String> words = new ArrayList<>();
        words.add("exec");
        prefix.forEach(p -> words.add(quote(p)));
        words.add("/bin/sh");
        words.add("-c");
        words.add(quote(script));
        words.add("rollback");
        params.forEach(p -> words.add(quote(p)));
        return String.join(" ", words);
    }

    /**
     * The environment as lines of shell, one variable a line, for {@link #EXEC} to read: each value
     * is written as {@code printf} octal escapes, so no value can end a line or escape its quotes.
     */
    static List<String> envLines(Map<String, String> env) {
        List<String> lines = new ArrayList<>();
        env.forEach((name, value) -> {
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("environment variable '" + name + "': expected a name of letters, "
                        + "digits and '_' not starting with a digit, which a remote shell can set; rename it");
            }
            StringBuilder octal = new StringBuilder();
            for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
                int c = b & 0xff;
                if (c == 0) {
                    throw new IllegalArgumentException("environment variable " + name
                            + ": the value holds a NUL character, which no program can receive; remove it");
                }
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
                    octal.append((char) c);
                } else {
                    octal.append('\\').append(String.format("%03o", c));
                }
            }
            // the trailing x keeps trailing newlines, which $(...) would strip
            lines.add(name + "=$(printf '" + octal + "'; printf x); " + name + "=${" + name + "%x}; export " + name);
        });
        return lines;
    }
}
