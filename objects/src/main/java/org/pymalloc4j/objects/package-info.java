/**
 * CPython 3.11's object model on the pymalloc heap: {@link org.pymalloc4j.objects.ObjectSpace}
 * (reference counting, singletons, leak reports, diagnostics), one API object per family
 * ({@link org.pymalloc4j.objects.IntApi}, {@link org.pymalloc4j.objects.FloatApi},
 * {@link org.pymalloc4j.objects.StrApi}, {@link org.pymalloc4j.objects.BytesApi},
 * {@link org.pymalloc4j.objects.TupleApi}, {@link org.pymalloc4j.objects.ListApi},
 * {@link org.pymalloc4j.objects.DictApi}, {@link org.pymalloc4j.objects.ClassApi},
 * {@link org.pymalloc4j.objects.WeakrefApi}), the cycle collector ({@link org.pymalloc4j.objects.Collector},
 * the {@code gc} module) and {@link org.pymalloc4j.objects.Frame}, with the native layouts in
 * {@link org.pymalloc4j.objects.ObjectHeader}, {@link org.pymalloc4j.objects.TypeLayout},
 * {@link org.pymalloc4j.objects.BuiltinLayouts}, {@link org.pymalloc4j.objects.StrLayout} and
 * {@link org.pymalloc4j.objects.DictKeysLayout}.
 *
 * <pre>
 *  ObjectSpace, IntApi FloatApi StrApi BytesApi TupleApi ListApi DictApi ClassApi WeakrefApi, Collector
 *      │
 *  Builtins: Ints Floats Strs BytesObjects Tuples Lists Dicts Instances Weakrefs (TypeBehaviour each)
 *      │          Core: allocation, incref/decref, trashcan, checks      TypeTable: tp_version_tag → behaviour
 *      ▼
 *  Memory:  OBJ domain (objects, dict keys)  MEM domain (list items)  RAW (one static area)
 * </pre>
 */
package org.pymalloc4j.objects;
