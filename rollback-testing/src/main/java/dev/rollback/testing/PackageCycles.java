package dev.rollback.testing;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.spi.ToolProvider;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks that the packages of a module do not depend on each other in a circle: if {@code a} uses {@code b}, then
 * nothing {@code b} uses, directly or through other packages, uses {@code a}. The dependencies are read from the
 * compiled classes by the JDK's {@code jdeps} (every class, field and method a class file names counts, javadoc
 * does not), so a cycle through a private helper counts as much as one through a public signature.
 *
 * <pre>{@code
 * @Test
 * void shouldHaveNoPackageCycles() {
 *     PackageCycles.ofModuleOf(Rollback.class).assertNone();
 * }
 * }</pre>
 *
 * <p>A module may declare a pair of packages that use each other on purpose ({@link #allowing}); the pair must then
 * really be a cycle (a declared pair that is not is reported, so the exception cannot outlive its reason) and no
 * other package may join their circle.
 *
 * <p>Immutable once made and safe to use from several threads.
 */
public final class PackageCycles {

    private static final Pattern EDGE = Pattern.compile("^\\s+(\\S+)\\s+->\\s+(\\S+)\\s");

    private final Path where;
    private final Set<String> allowed;

    private PackageCycles(Path where, Set<String> allowed) {
        this.where = where;
        this.allowed = allowed;
    }

    /**
     * The check of the classes compiled into the same folder or jar as {@code anyClassOfTheModule}.
     *
     * @param anyClassOfTheModule a main class of the module to check
     * @return the check, allowing no cycle
     * @throws IllegalArgumentException if the class comes from no folder or jar
     */
    public static PackageCycles ofModuleOf(Class<?> anyClassOfTheModule) {
        Objects.requireNonNull(anyClassOfTheModule, "anyClassOfTheModule");
        CodeSource source = anyClassOfTheModule.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            throw new IllegalArgumentException("package cycle check: expected a class loaded from a folder or a jar, "
                    + "found " + anyClassOfTheModule.getName() + " with no code source; give a class of the module");
        }
        try {
            return new PackageCycles(Path.of(source.getLocation().toURI()), Set.of());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("package cycle check: cannot read the location "
                    + source.getLocation() + " of " + anyClassOfTheModule.getName(), e);
        }
    }

    /**
     * The check of the classes in a folder of classes or a jar.
     *
     * @param classes the folder ({@code target/classes}) or jar
     * @return the check, allowing no cycle
     */
    public static PackageCycles of(Path classes) {
        return new PackageCycles(Objects.requireNonNull(classes, "classes"), Set.of());
    }

    /**
     * This check, allowing the two packages to use each other (and nothing else to join them).
     *
     * @param one a package name
     * @param other another package name
     * @return a new check
     */
    public PackageCycles allowing(String one, String other) {
        Set<String> more = new TreeSet<>(allowed);
        more.add(pair(Objects.requireNonNull(one, "one"), Objects.requireNonNull(other, "other")));
        return new PackageCycles(where, Set.copyOf(more));
    }

    /**
     * Which package uses which, among the module's own packages, read by {@code jdeps}.
     *
     * @return for each package the other packages of the module it uses, sorted
     * @throws IllegalStateException if the JDK has no {@code jdeps} or it fails
     */
    public Map<String, Set<String>> dependencies() {
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(() -> new IllegalStateException(
                "package cycle check: expected the JDK tool 'jdeps' (module jdk.jdeps), found none; run the tests "
                        + "on a full JDK, not a JRE"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = jdeps.run(new PrintWriter(out), new PrintWriter(err), "-verbose:package", "-filter:none",
                where.toString());
        if (rc != 0) {
            throw new IllegalStateException("package cycle check: expected jdeps to read " + where + ", found exit "
                    + rc + ": " + err.toString().strip());
        }
        Map<String, Set<String>> edges = new TreeMap<>();
        List<String[]> found = new ArrayList<>();
        for (String line : out.toString().split("\\R")) {
            Matcher m = EDGE.matcher(line);
            if (m.find()) {
                found.add(new String[] {m.group(1), m.group(2)});
                edges.computeIfAbsent(m.group(1), k -> new TreeSet<>());
            }
        }
        for (String[] e : found) {
            if (!e[0].equals(e[1]) && edges.containsKey(e[1])) {
                edges.get(e[0]).add(e[1]);
            }
        }
        return edges;
    }

    /**
     * The circles among the module's packages, each as its packages sorted, apart from the allowed pairs.
     *
     * @return one line per circle, empty when there is none; an allowed pair that is no cycle is a line too
     */
    public List<String> cycles() {
        Map<String, Set<String>> edges = dependencies();
        List<String> out = new ArrayList<>();
        for (Set<String> component : components(edges)) {
            if (component.size() < 2) {
                continue;
            }
            if (component.size() == 2 && allowed.contains(pair(component.toArray(String[]::new)))) {
                continue;
            }
            out.add(String.join(" <-> ", component) + describe(component, edges));
        }
        for (String p : allowed) {
            String[] two = p.split(" ");
            if (!edges.getOrDefault(two[0], Set.of()).contains(two[1])
                    || !edges.getOrDefault(two[1], Set.of()).contains(two[0])) {
                out.add("the allowed pair " + two[0] + " <-> " + two[1] + " is no cycle any more: remove it from "
                        + "the check");
            }
        }
        return out;
    }

    /**
     * Fails with an {@link AssertionError} naming every circle and the uses that make it.
     *
     * @throws AssertionError if the module's packages use each other in a circle
     */
    public void assertNone() {
        List<String> cycles = cycles();
        if (!cycles.isEmpty()) {
            throw new AssertionError("the packages of " + where + " use each other in a circle; move the type that "
                    + "closes it to the lower package, or give the lower package an interface it owns:\n  "
                    + String.join("\n  ", cycles));
        }
    }

    private static String describe(Set<String> component, Map<String, Set<String>> edges) {
        List<String> uses = new ArrayList<>();
        for (String p : component) {
            for (String q : edges.get(p)) {
                if (component.contains(q)) {
                    uses.add(p + " -> " + q);
                }
            }
        }
        return " (" + String.join(", ", uses) + ")";
    }

    private static String pair(String... two) {
        return two[0].compareTo(two[1]) <= 0 ? two[0] + " " + two[1] : two[1] + " " + two[0];
    }

    /** Tarjan's strongly connected components, iterative. */
    private static List<Set<String>> components(Map<String, Set<String>> edges) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new HashSet<>();
        List<Set<String>> out = new ArrayList<>();
        int[] counter = {0};
        for (String start : edges.keySet()) {
            if (index.containsKey(start)) {
                continue;
            }
            Deque<Object[]> work = new ArrayDeque<>();
            work.push(new Object[] {start, new ArrayList<>(edges.get(start)).iterator()});
            index.put(start, counter[0]);
            low.put(start, counter[0]++);
            stack.push(start);
            onStack.add(start);
            while (!work.isEmpty()) {
                Object[] frame = work.peek();
                String v = (String) frame[0];
                @SuppressWarnings("unchecked")
                Iterator<String> it = (Iterator<String>) frame[1];
                if (it.hasNext()) {
                    String w = it.next();
                    if (!index.containsKey(w)) {
                        index.put(w, counter[0]);
                        low.put(w, counter[0]++);
                        stack.push(w);
                        onStack.add(w);
                        work.push(new Object[] {w, new ArrayList<>(edges.getOrDefault(w, Set.of())).iterator()});
                    } else if (onStack.contains(w)) {
                        low.put(v, Math.min(low.get(v), index.get(w)));
                    }
                } else {
                    work.pop();
                    if (!work.isEmpty()) {
                        String parent = (String) work.peek()[0];
                        low.put(parent, Math.min(low.get(parent), low.get(v)));
                    }
                    if (low.get(v).equals(index.get(v))) {
                        Set<String> component = new TreeSet<>();
                        String w;
                        do {
                            w = stack.pop();
                            onStack.remove(w);
                            component.add(w);
                        } while (!w.equals(v));
                        out.add(component);
                    }
                }
            }
        }
        return out;
    }
}
