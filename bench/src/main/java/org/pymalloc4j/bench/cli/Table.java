package org.pymalloc4j.bench.cli;

import java.util.ArrayList;
import java.util.List;

/** A text table whose columns line up: the first column left-aligned, the rest right-aligned. */
final class Table {
    private final List<String[]> rows = new ArrayList<>();
    private final String[] header;

    Table(String... header) {
        this.header = header;
    }

    Table row(Object... cells) {
        String[] r = new String[header.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = i < cells.length ? String.valueOf(cells[i]) : "";
        }
        rows.add(r);
        return this;
    }

    String render() {
        int[] width = new int[header.length];
        for (int i = 0; i < header.length; i++) {
            width[i] = header[i].length();
            for (String[] r : rows) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        line(out, header, width);
        String[] rule = new String[header.length];
        for (int i = 0; i < rule.length; i++) {
            rule[i] = "-".repeat(width[i]);
        }
        line(out, rule, width);
        for (String[] r : rows) {
            line(out, r, width);
        }
        return out.toString();
    }

    /** The same table in GitHub Markdown: the first column left-aligned, the rest right-aligned. */
    String renderMarkdown() {
        StringBuilder out = new StringBuilder();
        out.append("| ").append(markdownCells(header)).append(" |\n|");
        for (int i = 0; i < header.length; i++) {
            out.append(i == 0 ? " --- |" : " ---: |");
        }
        out.append('\n');
        for (String[] r : rows) {
            out.append("| ").append(markdownCells(r)).append(" |\n");
        }
        return out.toString();
    }

    /** A row's cells joined for Markdown: a '|' in one (a file's name) escaped, a newline made a space. */
    private static String markdownCells(String[] cells) {
        return String.join(" | ", java.util.Arrays.stream(cells).map(c -> c.replace("|", "\\|").replace("\n", " ")).toList());
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    private static void line(StringBuilder out, String[] cells, int[] width) {
        for (int i = 0; i < cells.length; i++) {
            String cell = cells[i];
            String pad = " ".repeat(width[i] - cell.length());
            out.append(i == 0 ? cell + pad : pad + cell);
            out.append(i == cells.length - 1 ? "\n" : "  ");
        }
        int end = out.length() - 1;
        while (end > 0 && out.charAt(end - 1) == ' ') {
            out.deleteCharAt(end - 1);
            end--;
        }
    }
}
