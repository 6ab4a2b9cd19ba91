package io.ringfleet.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PrintableTextTest {
    @Test
    void plainTextIsShownAsIs() {
        for (String s : new String[] {"alice", "Zoë Ops (night)", "admin@corp", "kernel upgrade", "\ud83d\ude00 ok"}) {
            assertEquals(s, PrintableText.of(s));
            assertTrue(PrintableText.isPrintable(s), s);
        }
    }

    @Test
    void aNewlineCannotStartAForgedLogLine() {
        String forged = "alice\n2026-12-07 INFO write by admin applied";
        String shown = PrintableText.of(forged);
        assertFalse(shown.contains("\n"), shown);
        assertEquals("alice\\n2026-12-07 INFO write by admin applied", shown);
        assertEquals("a\\r\\tb", PrintableText.of("a\r\tb"));
    }

    @Test
    void ansiEscapesAndOtherControlsAreEscaped() {
        assertEquals("\\e[31mred\\e[0m", PrintableText.of("\u001b[31mred\u001b[0m"));
        assertEquals("bell\\x07 del\\x7f c1\\x9b", PrintableText.of("bell\u0007 del\u007f c1\u009b"));
        String shown = PrintableText.of("x\u0000\u001f\u0085\u2028y");
        assertTrue(shown.chars().allMatch(ch -> ch >= 0x20 && ch != 0x7f), shown);
    }

    @Test
    void directionOverridesAndZeroWidthCharactersAreShown() {
        assertEquals("admin\\u{202E}gpj.exe", PrintableText.of("admin\u202egpj.exe"));
        assertEquals("a\\u{200B}b\\u{FEFF}", PrintableText.of("a\u200bb\ufeff"));
    }

    @Test
    void backslashIsEscapedSoTheOutputIsUnambiguous() {
        assertEquals("a\\\\nb", PrintableText.of("a\\nb"));
        assertFalse(PrintableText.of("a\\nb").equals(PrintableText.of("a\nb")));
    }

    @Test
    void unpairedSurrogatesAreEscapedAndPairsKept() {
        assertEquals("x\\u{D800}", PrintableText.of("x\ud800"));
        assertEquals("\\u{DC00}x", PrintableText.of("\udc00x"));
        assertEquals("\ud83d\ude00", PrintableText.of("\ud83d\ude00"));
    }

    @Test
    void longTextIsCutAndMarked() {
        String shown = PrintableText.of("a".repeat(300), 10);
        assertEquals("aaaaaaaaaa...(290 more)", shown);
        assertEquals("null", PrintableText.of(null));
    }
}
