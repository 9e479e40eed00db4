package org.mutor.lm;

import java.math.BigDecimal;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GSM8K answer scoring: the number after {@code ####}, else the last number in the text, with
 * thousands commas removed; two answers agree when their numeric values are equal.
 */
public final class AnswerExtractor {

    private static final Pattern NUMBER = Pattern.compile("-?\\d[\\d,]*(?:\\.\\d+)?");
    private static final String MARK = "####";

    private AnswerExtractor() {
    }

    /** Returns the answer number of {@code text} without commas, or null when it has none. */
    public static String extract(String text) {
        int mark = text.indexOf(MARK);
        if (mark >= 0) {
            Matcher after = NUMBER.matcher(text.substring(mark + MARK.length()));
            if (after.find()) {
                return normalise(after.group());
            }
        }
        Matcher m = NUMBER.matcher(text);
        String last = null;
        while (m.find()) {
            last = m.group();
        }
        return last == null ? null : normalise(last);
    }

    /** Returns whether both are numbers of equal value. */
    public static boolean same(String predicted, String target) {
        if (predicted == null || target == null) {
            return false;
        }
        try {
            return new BigDecimal(predicted).compareTo(new BigDecimal(target)) == 0;
        } catch (NumberFormatException e) {
            return predicted.equals(target);
        }
    }

    private static String normalise(String number) {
        String plain = number.replace(",", "");
        return plain.endsWith(".") ? plain.substring(0, plain.length() - 1) : plain;
    }
}
