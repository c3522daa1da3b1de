package dev.retrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.retrace.tape.Event;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventFormatTest {
    @Test
    void valuesFollowTheReturnType() {
        assertEquals("42", EventFormat.value("a.B.size()J", 42));
        assertEquals("-1", EventFormat.value("a.B.read()I", -1));
        assertNull(EventFormat.value("a.B.close()V", 0));
        assertEquals("true", EventFormat.value("a.B.exists(Ljava/lang/String;)Z", 1));
        assertEquals("false", EventFormat.value("a.B.exists(Ljava/lang/String;)Z", 0));
        assertEquals("1.5", EventFormat.value("a.B.load()D", Double.doubleToRawLongBits(1.5)));
        assertEquals("0.25", EventFormat.value("a.B.f()F", Float.floatToRawIntBits(0.25f)));
        assertNull(EventFormat.value("a.B.environ()[[B", 0));
        assertEquals("7", EventFormat.value("a.B.handle()Ljava/lang/Object;", 7));
        assertEquals("65 'A'", EventFormat.value("a.B.c()C", 65));
        assertEquals("5", EventFormat.value("unknown", 5));
    }

    @Test
    void escapesAndCuts() {
        assertEquals("a\\nb\\t\\\"c\\\"\\\\ \\x00\\x7f é", EventFormat.escape("a\nb\t\"c\"\\ \u0000\u007f é", 100));
        assertEquals("abc...", EventFormat.escape("abcdef", 3));
    }

    @Test
    void itemsAreQuotedAndLimited() {
        assertEquals("[\"a\", null]", EventFormat.items(Arrays.asList("a", null)));
        List<String> many = new ArrayList<>(Collections.nCopies(10, "x"));
        assertEquals("[\"x\", \"x\", \"x\", \"x\", \"x\", \"x\", \"x\", \"x\", ... 10 items]", EventFormat.items(many));
    }

    @Test
    void aLongDataPreviewIsMarked() {
        Event e = new Event(1, 0, 9, "java.io.FileInputStream.readBytes([BII)I", 2, 100,
                new Event.Data(100, "x".repeat(64)), null, null, null, null);
        assertEquals("main #9     java.io.FileInputStream.readBytes([BII)I = 100 data[100]=\"" + "x".repeat(64) + "\"...",
                EventFormat.line(e, "main", 4));
    }

    @Test
    void aThrowingCallShowsNoValue() {
        Event e = new Event(1, 2, 0, "sun.nio.fs.UnixNativeDispatcher.stat0(JJ)I", 3, 0, null, null, null,
                new Event.Thrown("sun.nio.fs.UnixException", null, 2), null);
        assertEquals("t  #0     sun.nio.fs.UnixNativeDispatcher.stat0(JJ)I threw sun.nio.fs.UnixException (errno 2)",
                EventFormat.line(e, "t", 2));
    }
}
