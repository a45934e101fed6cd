package dev.rollback.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Checks that a module's public API does not mention its internal types: no public or protected signature of a
 * public type in a package outside {@code ….internal} may name a type from a package whose name contains
 * {@code .internal}. What counts as a signature: superclass and interfaces, type parameters and their bounds, the
 * types of public and protected fields, the parameter, return and thrown types of public and protected constructors
 * and methods (also those inherited from a superclass that is not itself public), and the same for every public or
 * protected nested type. Generic arguments, wildcard bounds and array components count too: a
 * {@code List<Internal>} leaks {@code Internal} as much as an {@code Internal} does.
 *
 * <p>Run it from a test of the module, on the module's own compiled classes:
 *
 * <pre>{@code
 * @Test
 * void shouldShowNoInternalTypeInItsPublicApi() {
 *     ApiCheck.ofModuleOf(GitCode.class).assertNoInternalTypes();
 * }
 * }</pre>
 *
 * <p>Why a build check and not a JPMS {@code module-info} that exports only the public packages: most users put
 * these modules on the class path, where a {@code module-info} hides nothing, so it would guard module-path users
 * only; the modules set an {@code Automatic-Module-Name} so that module-path users get a stable name without the
 * library forcing the module system on everyone else (a descriptor would also have to require its dependencies by
 * module name, and several of them, drivers and embedded servers, have no stable one); and the tests run on the
 * class path, where a descriptor would not be exercised at all. This check keeps that arrangement and still fails
 * the build, for every user, when a public signature lets an internal type out.
 *
 * <p>Immutable once made and safe to use from several threads; {@link #leaks()} returns an immutable list.
 */
public final class ApiCheck {

    private final String where;
    private final List<Class<?>> classes;

    private ApiCheck(String where, List<Class<?>> classes) {
        this.where = where;
        this.classes = classes;
    }

    /**
     * The check of every class compiled into the same folder or jar as {@code anyClassOfTheModule}, loaded by that
     * class's loader without running their static initialisers.
     *
     * @param anyClassOfTheModule a main class of the module to check
     * @return the check, ready to run
     * @throws IllegalArgumentException if the class comes from no folder or jar (a JDK class, a generated class)
     */
    public static ApiCheck ofModuleOf(Class<?> anyClassOfTheModule) {
        Objects.requireNonNull(anyClassOfTheModule, "anyClassOfTheModule");
        CodeSource source = anyClassOfTheModule.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            throw new IllegalArgumentException("API check: expected a class loaded from a folder or a jar, found "
                    + anyClassOfTheModule.getName() + " with no code source; give a class of the module's own code");
        }
        Path where;
        try {
            where = Path.of(source.getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("API check: cannot read the location " + source.getLocation()
                    + " of " + anyClassOfTheModule.getName(), e);
        }
        ClassLoader loader = anyClassOfTheModule.getClassLoader();
        List<Class<?>> found = new ArrayList<>();
        for (String name : classNames(where)) {
            try {
                found.add(Class.forName(name, false, loader));
            } catch (ClassNotFoundException | LinkageError e) {
                throw new IllegalStateException("API check of " + where + ": cannot load " + name + " (" + e
                        + "); put the module's dependencies on the test class path", e);
            }
        }
        return new ApiCheck(where.toString(), List.copyOf(found));
    }

    /**
     * Every public or protected signature that mentions an internal type, one line each, sorted: where it is and
     * which internal types it names, e.g. {@code method dev.rollback.RollbackPlan.engine(): returns
     * dev.rollback.internal.Engine}.
     *
     * @return the offending signatures, empty when the API is clean
     */
    public List<String> leaks() {
        Set<String> out = new TreeSet<>();
        for (Class<?> c : classes) {
            if (isApi(c)) {
                checkType(c, out);
            }
        }
        return List.copyOf(out);
    }

    /**
     * Fails with an {@link AssertionError} that lists every offending signature, if there is one.
     *
     * @throws AssertionError if a public signature mentions an internal type
     */
    public void assertNoInternalTypes() {
        List<String> leaks = leaks();
        if (!leaks.isEmpty()) {
            throw new AssertionError("the public API of " + where + " mentions internal types in "
                    + leaks.size() + " signature" + (leaks.size() == 1 ? "" : "s") + "; move the type out of its "
                    + "internal package, give it a public interface, or keep it out of the signature:"
                    + System.lineSeparator() + "  " + String.join(System.lineSeparator() + "  ", leaks));
        }
    }

    /** Whether a type is part of the API: public (or protected and nested in one), outside internal packages. */
    private static boolean isApi(Class<?> c) {
        if (c.isSynthetic() || c.isAnonymousClass() || c.isLocalClass() || isInternal(c)) {
            return false;
        }
        for (Class<?> k = c; k != null; k = k.getDeclaringClass()) {
            int m = k.getModifiers();
            boolean visible = k.getDeclaringClass() == null ? Modifier.isPublic(m)
                    : Modifier.isPublic(m) || Modifier.isProtected(m);
            if (!visible) {
                return false;
            }
        }
        return true;
    }

    private static boolean isInternal(Class<?> c) {
        while (c.isArray()) {
            c = c.getComponentType();
        }
        return !c.isPrimitive() && c.getPackageName().contains(".internal");
    }

    private static void checkType(Class<?> c, Set<String> out) {
        String kind = c.isInterface() ? "interface " : c.isEnum() ? "enum " : c.isRecord() ? "record " : "class ";
        String name = kind + c.getName();
        mention(name + ": extends", c.getGenericSuperclass(), out);
        for (Type i : c.getGenericInterfaces()) {
            mention(name + ": implements", i, out);
        }
        typeParameters(name, c.getTypeParameters(), out);
        Set<String> seen = new HashSet<>();
        for (Field f : c.getFields()) {
            if (ownsOrHides(c, f)) {
                mention("field " + c.getName() + "." + f.getName() + ": of type", f.getGenericType(), out);
            }
        }
        for (Method m : c.getMethods()) {
            // a bridge is checked too: javac makes one in a public class for each public method it inherits from
            // a base class that is not public, and that bridge is then the only way callers reach the method
            if ((!m.isSynthetic() || m.isBridge()) && seen.add(key(m)) && ownsOrHides(c, m)) {
                executable(c, m, out);
            }
        }
        for (Constructor<?> k : c.getConstructors()) {
            executable(c, k, out);
        }
        // protected members, declared here or in a superclass; public inherited ones come from getMethods()
        for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
            for (Field f : k.getDeclaredFields()) {
                if (Modifier.isProtected(f.getModifiers()) && !f.isSynthetic() && ownsOrHides(c, f)) {
                    mention("field " + c.getName() + "." + f.getName() + ": of type", f.getGenericType(), out);
                }
            }
            for (Method m : k.getDeclaredMethods()) {
                if (Modifier.isProtected(m.getModifiers()) && (!m.isSynthetic() || m.isBridge())
                        && seen.add(key(m)) && ownsOrHides(c, m)) {
                    executable(c, m, out);
                }
            }
            if (k == c) {
                for (Constructor<?> ctor : k.getDeclaredConstructors()) {
                    if (Modifier.isProtected(ctor.getModifiers()) && !ctor.isSynthetic()) {
                        executable(c, ctor, out);
                    }
                }
            }
        }
    }

    /**
     * Whether a member is checked as part of {@code c}: when {@code c} declares it, or inherits it from a type that
     * is not API itself (a package-private base class), so that no one else checks it. A member inherited from
     * an API type is checked, and reported, with that type.
     */
    private static boolean ownsOrHides(Class<?> c, Member m) {
        return m.getDeclaringClass() == c || !isApi(m.getDeclaringClass());
    }

    /** A method as the class file knows it: a covariant bridge differs from its method in the return type. */
    private static String key(Method m) {
        StringBuilder k = new StringBuilder(m.getName()).append('(');
        for (Class<?> p : m.getParameterTypes()) {
            k.append(p.getName()).append(',');
        }
        return k.append(')').append(m.getReturnType().getName()).toString();
    }

    private static void executable(Class<?> owner, Executable e, Set<String> out) {
        StringBuilder params = new StringBuilder();
        for (Class<?> p : e.getParameterTypes()) {
            params.append(params.length() == 0 ? "" : ", ").append(p.getSimpleName());
        }
        boolean ctor = e instanceof Constructor;
        String where = (ctor ? "constructor " + owner.getName() : "method " + owner.getName() + "." + e.getName())
                + "(" + params + ")"
                + (e.getDeclaringClass() == owner ? "" : " (declared in " + e.getDeclaringClass().getName() + ")");
        typeParameters(where, e.getTypeParameters(), out);
        if (e instanceof Method m) {
            mention(where + ": returns", m.getGenericReturnType(), out);
        }
        for (Type p : e.getGenericParameterTypes()) {
            mention(where + ": takes", p, out);
        }
        for (Type x : e.getGenericExceptionTypes()) {
            mention(where + ": throws", x, out);
        }
    }

    private static void typeParameters(String where, TypeVariable<?>[] vars, Set<String> out) {
        for (TypeVariable<?> v : vars) {
            for (Type b : v.getBounds()) {
                mention(where + ": type parameter " + v.getName() + " bounded by", b, out);
            }
        }
    }

    private static void mention(String where, Type type, Set<String> out) {
        if (type == null) {
            return;
        }
        Set<Class<?>> internal = new TreeSet<>((a, b) -> a.getName().compareTo(b.getName()));
        collect(type, internal, Collections.newSetFromMap(new IdentityHashMap<>()));
        for (Class<?> i : internal) {
            out.add(where + " " + i.getName());
        }
    }

    /** The internal classes a type names, through generic arguments, bounds and array components. */
    private static void collect(Type t, Set<Class<?>> internal, Set<Type> visiting) {
        if (!visiting.add(t)) {
            return;
        }
        if (t instanceof Class<?> c) {
            Class<?> base = c;
            while (base.isArray()) {
                base = base.getComponentType();
            }
            if (isInternal(base)) {
                internal.add(base);
            }
            for (Class<?> outer = base.getEnclosingClass(); outer != null; outer = outer.getEnclosingClass()) {
                if (isInternal(outer)) {
                    internal.add(outer);
                }
            }
        } else if (t instanceof ParameterizedType p) {
            collect(p.getRawType(), internal, visiting);
            if (p.getOwnerType() != null) {
                collect(p.getOwnerType(), internal, visiting);
            }
            for (Type a : p.getActualTypeArguments()) {
                collect(a, internal, visiting);
            }
        } else if (t instanceof WildcardType w) {
            for (Type b : w.getUpperBounds()) {
                collect(b, internal, visiting);
            }
            for (Type b : w.getLowerBounds()) {
                collect(b, internal, visiting);
            }
        } else if (t instanceof GenericArrayType a) {
            collect(a.getGenericComponentType(), internal, visiting);
        } else if (t instanceof TypeVariable<?> v) {
            for (Type b : v.getBounds()) {
                collect(b, internal, visiting);
            }
        }
    }

    /** The binary names of the classes in a folder of classes or a jar. */
    private static List<String> classNames(Path where) {
        List<String> names = new ArrayList<>();
        try {
            if (Files.isDirectory(where)) {
                try (Stream<Path> files = Files.walk(where)) {
                    files.filter(f -> isClassFile(f.toString())).forEach(f -> names.add(binaryName(
                            where.relativize(f).toString().replace(f.getFileSystem().getSeparator(), "/"))));
                }
            } else {
                try (JarFile jar = new JarFile(where.toFile())) {
                    for (JarEntry e : Collections.list(jar.entries())) {
                        if (isClassFile(e.getName()) && !e.getName().startsWith("META-INF/")) {
                            names.add(binaryName(e.getName()));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("API check: cannot list the classes in " + where, e);
        }
        Collections.sort(names);
        return names;
    }

    private static boolean isClassFile(String path) {
        return path.endsWith(".class") && !path.endsWith("module-info.class") && !path.endsWith("package-info.class");
    }

    private static String binaryName(String relative) {
        return relative.substring(0, relative.length() - ".class".length()).replace('/', '.');
    }
}
