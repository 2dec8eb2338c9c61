/**
 * pymalloc4j's command-line tool, JMH benchmarks and layout inspection. Runs from the shaded
 * jar on the class path; this descriptor documents and checks the dependencies.
 */
module org.pymalloc4j.bench {
    requires org.pymalloc4j.allocator;
    requires org.pymalloc4j.objects;
    requires jmh.core;
    requires jol.core;
    requires jdk.management;
    requires io.netty.buffer;
    requires io.netty.common;
    requires org.lwjgl;
    requires org.lwjgl.jemalloc;
    requires org.lwjgl.rpmalloc;

    exports org.pymalloc4j.bench;
}
