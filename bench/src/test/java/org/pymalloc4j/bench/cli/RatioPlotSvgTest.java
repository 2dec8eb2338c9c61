package org.pymalloc4j.bench.cli;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** versus's picture: its axis, one row a pattern, a dot a JVM, and the line at 1. */
class RatioPlotSvgTest {
    private static final List<RatioPlotSvg.Row> ROWS = List.of(
            new RatioPlotSvg.Row("pair 64 B", 0.3, new double[] {0.29, 0.31, 0.3}, 0.27, 0.33),
            new RatioPlotSvg.Row("random mix <1-512 B>", 1.6, new double[] {1.5, 1.7}, 1.4, 2.3));

    @Test
    void theAxisSpansWholePowersOfTwoAroundEveryRatioAndAtLeastAQuarterToTwo() {
        assertArrayEquals(new double[] {0.25, 4}, RatioPlotSvg.axis(ROWS), 1e-12);
        assertArrayEquals(new double[] {0.25, 2}, RatioPlotSvg.axis(List.of()), 1e-12);
        assertArrayEquals(new double[] {0.125, 2},
                RatioPlotSvg.axis(List.of(new RatioPlotSvg.Row("x", 0.2, new double[] {0.2}, 0.2, 0.2))), 1e-12);
        assertEquals(List.of("1/8x", "1/2x", "1x", "4x"),
                List.of(RatioPlotSvg.tick(0.125), RatioPlotSvg.tick(0.5), RatioPlotSvg.tick(1), RatioPlotSvg.tick(4)));
    }

    /** A trace's row is labelled with its file's name, which can be long: the label must stay inside the picture. */
    @Test
    void aLongLabelStaysInsideThePicture() throws Exception {
        String label = "trace recording-of-the-nightly-json-import-job.trace, against"; // 62 characters
        String svg = RatioPlotSvg.render("t", List.of(new RatioPlotSvg.Row(label, 1.1, new double[] {1.1}, 1.0, 1.2)));
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        NodeList texts = doc.getElementsByTagName("text");
        Element text = null;
        for (int i = 0; i < texts.getLength(); i++) {
            if (texts.item(i).getTextContent().equals(label)) {
                text = (Element) texts.item(i);
            }
        }
        assertTrue(text != null && text.getAttribute("text-anchor").equals("end"), svg);
        double end = Double.parseDouble(text.getAttribute("x"));
        assertTrue(end - 6 * label.length() >= 0, "the label, right-aligned at x=" + end + ", starts left of the picture");
        double width = Double.parseDouble(doc.getDocumentElement().getAttribute("width"));
        assertTrue(width - end >= 490, "the plot keeps its width: " + (width - end));
    }

    @Test
    void aRowAPatternADotAJvmAndTheLineAtOneInWellFormedSvg() throws Exception {
        String svg = RatioPlotSvg.render("title & <more>", ROWS);
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertEquals("svg", doc.getDocumentElement().getTagName());
        assertEquals(5, doc.getElementsByTagName("circle").getLength(), "one dot for each JVM of each pattern");
        assertEquals(2, doc.getElementsByTagName("rect").getLength() - 1, "one range bar a pattern, after the background");
        assertTrue(svg.contains(">random mix &lt;1-512 B&gt;</text>"), "labels are escaped");
        assertTrue(svg.contains("pymalloc4j faster") && svg.contains("CPython faster"));
        // The axis runs 1/4x..4x over the plot's width (720 - 200 - 30 = 490): 1x sits in the middle
        double one = 200 + 490 / 2.0;
        NodeList lines = doc.getElementsByTagName("line");
        boolean found = false;
        for (int i = 0; i < lines.getLength(); i++) {
            Element l = (Element) lines.item(i);
            if ("#000000".equals(l.getAttribute("stroke")) && Math.abs(Double.parseDouble(l.getAttribute("x1")) - one) < 0.1
                    && l.getAttribute("x1").equals(l.getAttribute("x2"))) {
                found = true;
            }
        }
        assertTrue(found, "a vertical black line at 1x");
        Element firstDot = (Element) doc.getElementsByTagName("circle").item(0);
        double expected = 200 + (Math.log(0.29) - Math.log(0.25)) / (Math.log(4) - Math.log(0.25)) * 490;
        assertEquals(expected, Double.parseDouble(firstDot.getAttribute("cx")), 0.1, "the first JVM's ratio, on the log axis");
    }
}
