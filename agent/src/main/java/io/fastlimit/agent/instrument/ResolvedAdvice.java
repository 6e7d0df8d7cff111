package io.fastlimit.agent.instrument;

import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.implementation.bytecode.assign.Assigner;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.pool.TypePool;
import net.bytebuddy.utility.JavaModule;

/**
 * Advice woven into the methods it matches, as Byte Buddy's {@code Transformer.ForAdvice} does, but
 * resolved once per class loader instead of once for every class transformed: resolving an advice
 * (reading its class files, describing its methods, building its dispatchers) was a fifth of an
 * attach, repeated for each servlet and filter. The advice is described from the agent's class
 * files and, as {@code ForAdvice} does, the class loader of the transformed class (whose types the
 * advice's parameters may name), so the result is the same; only its reuse is new.
 *
 * <p>Start from a {@link Source} (one per set of advice class files, shared by the transformers
 * made from it), add the advice with {@link #advice}; the transformer is immutable apart from its
 * cache.
 */
public final class ResolvedAdvice implements AgentBuilder.Transformer {

  /**
   * Where the advice class files are read; it also keeps one description pool per class loader for
   * every transformer made from it, so the advice and Byte Buddy's annotations are parsed once.
   */
  public static final class Source {
    private final ClassFileLocator adviceClasses;
    // weak keys, and the pools reach their loader only through a weak reference: an undeployed
    // application's loader stays collectable
    private final Map<ClassLoader, TypePool> pools = new WeakHashMap<>();

    public Source(ClassFileLocator adviceClasses) {
      this.adviceClasses = adviceClasses;
    }

    /** The advice class {@code advice} (enter and/or exit) on the methods matched. */
    public ResolvedAdvice advice(ElementMatcher<? super MethodDescription> methods, String advice) {
      return new ResolvedAdvice(this, Advice.withCustomMapping(), Collections.<Entry>emptyList())
          .advice(methods, advice);
    }

    /** As {@link #advice(ElementMatcher, String)}, with the custom annotations bound in mapping. */
    public ResolvedAdvice advice(
        Advice.WithCustomMapping mapping,
        ElementMatcher<? super MethodDescription> methods,
        String advice) {
      return new ResolvedAdvice(this, mapping, Collections.<Entry>emptyList())
          .advice(methods, advice);
    }

    /** The enter advice of one class and the exit advice of another on the methods matched. */
    public ResolvedAdvice advice(
        ElementMatcher<? super MethodDescription> methods, String enter, String exit) {
      return new ResolvedAdvice(this, Advice.withCustomMapping(), Collections.<Entry>emptyList())
          .advice(methods, enter, exit);
    }

    /** As Byte Buddy's default pool strategy, over the advice and the loader's class files. */
    TypePool pool(ClassLoader loader, ClassFileLocator classFiles) {
      synchronized (pools) {
        TypePool pool = pools.get(loader);
        if (pool == null) {
          pool =
              new TypePool.Default.WithLazyResolution(
                  TypePool.CacheProvider.Simple.withObjectType(),
                  classFiles,
                  TypePool.Default.ReaderMode.FAST);
          pools.put(loader, pool);
        }
        return pool;
      }
    }

    ClassFileLocator classFiles(ClassLoader loader) {
      return new ClassFileLocator.Compound(
          adviceClasses, ClassFileLocator.ForClassLoader.WeaklyReferenced.of(loader));
    }
  }

  /** One advice and the methods it goes on. */
  private static final class Entry {
    final ElementMatcher<? super MethodDescription> methods;
    final String enter;
    final String exit; // null: enter names one class holding both

    Entry(ElementMatcher<? super MethodDescription> methods, String enter, String exit) {
      this.methods = methods;
      this.enter = enter;
      this.exit = exit;
    }

    Advice resolve(Advice.WithCustomMapping mapping, TypePool pool, ClassFileLocator classFiles) {
      return exit == null
          ? mapping.to(pool.describe(enter).resolve(), classFiles)
          : mapping.to(pool.describe(enter).resolve(), pool.describe(exit).resolve(), classFiles);
    }
  }

  private final Source source;
  private final Advice.WithCustomMapping mapping;
  private final List<Entry> entries;
  // the advice woven into a class of each loader, resolved at its first class
  private final Map<ClassLoader, AsmVisitorWrapper> resolved = new WeakHashMap<>();

  private ResolvedAdvice(Source source, Advice.WithCustomMapping mapping, List<Entry> entries) {
    this.source = source;
    this.mapping = mapping;
    this.entries = entries;
  }

  /** This transformer with the advice class {@code advice} on the methods matched too. */
  public ResolvedAdvice advice(ElementMatcher<? super MethodDescription> methods, String advice) {
    return with(new Entry(methods, advice, null));
  }

  /** This transformer with another enter and exit advice on the methods matched too. */
  public ResolvedAdvice advice(
      ElementMatcher<? super MethodDescription> methods, String enter, String exit) {
    return with(new Entry(methods, enter, exit));
  }

  private ResolvedAdvice with(Entry entry) {
    List<Entry> more = new ArrayList<>(entries);
    more.add(entry);
    return new ResolvedAdvice(source, mapping, Collections.unmodifiableList(more));
  }

  @Override
  public DynamicType.Builder<?> transform(
      DynamicType.Builder<?> builder,
      TypeDescription typeDescription,
      ClassLoader classLoader,
      JavaModule module,
      ProtectionDomain protectionDomain) {
    return builder.visit(resolvedFor(classLoader));
  }

  private AsmVisitorWrapper resolvedFor(ClassLoader loader) {
    synchronized (resolved) {
      AsmVisitorWrapper wrapper = resolved.get(loader);
      if (wrapper != null) {
        return wrapper;
      }
    }
    // resolved outside the lock: two threads may both resolve it, with the same result
    ClassFileLocator classFiles = source.classFiles(loader);
    TypePool pool = source.pool(loader, classFiles);
    AsmVisitorWrapper.ForDeclaredMethods wrapper = new AsmVisitorWrapper.ForDeclaredMethods();
    for (Entry entry : entries) {
      // what Transformer.ForAdvice uses by default
      wrapper =
          wrapper.invokable(
              entry.methods,
              entry
                  .resolve(mapping, pool, classFiles)
                  .withAssigner(Assigner.DEFAULT)
                  .withExceptionHandler(Advice.ExceptionHandler.Default.SUPPRESSING));
    }
    synchronized (resolved) {
      resolved.put(loader, wrapper);
    }
    return wrapper;
  }
}
