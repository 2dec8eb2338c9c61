/**
 * CPython 3.11's object model on the pymalloc heap: {@link org.pymalloc4j.objects.ObjectSpace}
 * (objects, reference counting, free lists, interning, leak reports) and
 * {@link org.pymalloc4j.objects.Frame}, with the native layouts in
 * {@link org.pymalloc4j.objects.ObjectHeader}, {@link org.pymalloc4j.objects.TypeLayout},
 * {@link org.pymalloc4j.objects.BuiltinLayouts}, {@link org.pymalloc4j.objects.StrLayout} and
 * {@link org.pymalloc4j.objects.DictKeysLayout}.
 *
 * <pre>
 *  ObjectSpace ─ Builtins: Ints Floats Strs BytesObjects Tuples Lists Dicts Instances (TypeBehaviour each)
 *      │          Core: allocation, incref/decref, trashcan, checks      TypeTable: tp_version_tag → behaviour
 *      ▼
 *  Memory:  OBJ domain (objects, dict keys)  MEM domain (list items)  RAW (one static area)
 * </pre>
 */
package org.pymalloc4j.objects;
