package org.pymalloc4j.bench.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/** The files of a bench run besides JMH's own: the two charts and a Markdown page of the results. */
final class BenchReport {
    static final String CHART = "chart.svg";
    static final String PAUSE_PLOT = "gc-pause.svg";
    static final String MARKDOWN = "results.md";

    private BenchReport() {
    }

    /** Bars per allocator pattern and size, one colour per implementation; null if there are no rows. */
    static String chart(BenchTables tables) {
        List<BenchTables.AllocatorRow> rows = tables.allocatorRows();
        if (rows.isEmpty()) {
            return null;
        }
        List<String> groups = rows.stream().map(BenchTables.AllocatorRow::label).toList();
        List<BarChartSvg.Series> series = new ArrayList<>();
        List<BenchTables.Impl> impls = new ArrayList<>(BenchTables.ALLOCATORS);
        impls.add(new BenchTables.Impl(BenchTables.CPYTHON, "CPython pymalloc (C)"));
        for (BenchTables.Impl impl : impls) {
            double[] values = new double[rows.size()];
            boolean any = false;
            for (int i = 0; i < rows.size(); i++) {
                OptionalDouble v = tables.allocatorNanos(rows.get(i), impl.method());
                values[i] = v.orElse(Double.NaN);
                any |= v.isPresent();
            }
            if (any) {
                // by the implementation's place in the list, not among the series this run has: the same colour in every chart
                String colour = impl.method().equals(BenchTables.CPYTHON) ? Svg.CPYTHON_COLOUR
                        : Svg.COLOURS.get(BenchTables.ALLOCATORS.indexOf(impl) % Svg.COLOURS.size());
                series.add(new BarChartSvg.Series(impl.label(), colour, values));
            }
        }
        return BarChartSvg.render("Allocator patterns: time per operation (lower is better)", "ns per operation",
                groups, series);
    }

    /** Pause against live heap size; null without collector figures. */
    static String pausePlot(JmhResults jmh, Map<String, Double> cpython) {
        List<String> sizes = jmh.params("CollectorBenchmark").stream().filter(p -> !p.isEmpty()).toList();
        List<PausePlotSvg.Series> series = new ArrayList<>();
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        List<Double> cxs = new ArrayList<>();
        List<Double> cys = new ArrayList<>();
        for (String n : sizes) {
            jmh.find("CollectorBenchmark", "collectLiveHeap", n).ifPresent(r -> {
                xs.add(Double.parseDouble(n));
                ys.add(r.median()); // as the table's
            });
            Double c = cpython.get("gc.live." + n);
            if (c != null) {
                cxs.add(Double.parseDouble(n));
                cys.add(c);
            }
        }
        if (xs.isEmpty()) {
            return null;
        }
        series.add(new PausePlotSvg.Series("pymalloc4j", Svg.COLOURS.get(0), array(xs), array(ys)));
        if (!cxs.isEmpty()) {
            series.add(new PausePlotSvg.Series("CPython gc.collect() (C)", Svg.CPYTHON_COLOUR, array(cxs), array(cys)));
        }
        return PausePlotSvg.render("Full collection pause against live heap size", series);
    }

    /**
     * The results as Markdown, ready to paste into the README: the charts are linked as
     * {@code imageDir/chart.svg}, the output directory as the command was given it, so the links
     * work from the directory the command ran in (the repository's root for the README).
     */
    static String markdown(String command, Map<String, String> machine, List<BenchTables.Section> sections,
                           String imageDir, boolean withChart, boolean withPausePlot, List<String> notes) {
        String prefix = imageDir.isEmpty() || imageDir.endsWith("/") ? imageDir : imageDir + "/";
        StringBuilder md = new StringBuilder();
        md.append("Produced by `").append(command).append("`.\n\n");
        machine.forEach((k, v) -> md.append("- **").append(k).append("**: ").append(v).append('\n'));
        md.append('\n');
        for (String note : notes) {
            md.append("> ").append(note.strip().replace("\n", "\n> ")).append("\n\n"); // every line in the quote
        }
        BenchTables.Section lastAllocatorTable = sections.stream().filter(s -> s.title().startsWith("Allocator:"))
                .reduce((first, second) -> second).orElse(null);
        for (BenchTables.Section s : sections) {
            md.append("**").append(s.title()).append("**\n\n").append(s.table().renderMarkdown()).append('\n')
                    .append(s.note()).append("\n\n");
            if (withChart && s == lastAllocatorTable) { // the chart has every allocator of the tables
                md.append("![allocator chart](").append(prefix).append(CHART).append(")\n\n");
            }
            if (withPausePlot && s.title().startsWith("Collector: full")) {
                md.append("![collection pause against heap size](").append(prefix).append(PAUSE_PLOT).append(")\n\n");
            }
        }
        return md.toString();
    }

    private static double[] array(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
