package org.pymalloc4j.bench.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a file a command produces after its work. A failure then is no bad input (status 2)
 * but a failure (status 1), and its message must name the file and say why: Java's says only
 * one of them ("No space left on device", or the path alone for a denied one).
 */
final class OutputFile {
    private OutputFile() {
    }

    /** @throws IOException "cannot write FILE: REASON" */
    static void write(Path file, String text) throws IOException {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw failed(file, e);
        }
    }

    /** The failure to write {@code file}, {@code e} its cause: "cannot write FILE: REASON". */
    static IOException failed(Path file, IOException e) {
        return new IOException("cannot write " + file + ": " + IoReason.of(e), e);
    }
}
