package org.mutor.common.format.numpy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses the small subset of Python literal syntax that a .npy header dict uses:
 * a dict with string keys whose values are strings, True/False, integers or tuples of
 * integers. Anything else (lists, for structured dtypes) is rejected.
 */
final class PyLiteral {

    private final String text;
    private int at;

    PyLiteral(String text) {
        this.text = text;
    }

    /**
     * Parses the whole text as one dict; trailing whitespace is allowed.
     *
     * @return keys to String, Boolean, Long or long[] (for a tuple)
     * @throws IllegalArgumentException naming the position and what was expected
     */
    Map<String, Object> parseDict() {
        Map<String, Object> out = new LinkedHashMap<>();
        expect('{');
        while (true) {
            skipSpace();
            if (peek() == '}') {
                at++;
                break;
            }
            String key = parseString();
            expect(':');
            Object value = parseValue();
            if (out.put(key, value) != null) {
                throw error("duplicate key '" + key + "'");
            }
            skipSpace();
            char c = peek();
            if (c == ',') {
                at++;
            } else if (c != '}') {
                throw error("expected ',' or '}'");
            }
        }
        skipSpace();
        if (at != text.length()) {
            throw error("unexpected text after the dict");
        }
        return out;
    }

    private Object parseValue() {
        skipSpace();
        char c = peek();
        if (c == '\'' || c == '"') {
            return parseString();
        }
        if (c == '(') {
            return parseTuple();
        }
        if (text.startsWith("True", at)) {
            at += 4;
            return Boolean.TRUE;
        }
        if (text.startsWith("False", at)) {
            at += 5;
            return Boolean.FALSE;
        }
        if (c == '-' || Character.isDigit(c)) {
            return parseInt();
        }
        throw error("expected a string, True, False, an integer or a tuple");
    }

    private long[] parseTuple() {
        expect('(');
        List<Long> values = new ArrayList<>();
        while (true) {
            skipSpace();
            if (peek() == ')') {
                at++;
                break;
            }
            values.add(parseInt());
            skipSpace();
            char c = peek();
            if (c == ',') {
                at++;
            } else if (c != ')') {
                throw error("expected ',' or ')' in a tuple");
            }
        }
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    private long parseInt() {
        skipSpace();
        int start = at;
        if (peek() == '-') {
            at++;
        }
        while (at < text.length() && Character.isDigit(text.charAt(at))) {
            at++;
        }
        // Python 2 era files may write long literals such as 3L.
        String digits = text.substring(start, at);
        if (at < text.length() && text.charAt(at) == 'L') {
            at++;
        }
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw error("invalid integer '" + digits + "'");
        }
    }

    private String parseString() {
        skipSpace();
        char quote = peek();
        if (quote != '\'' && quote != '"') {
            throw error("expected a quoted string");
        }
        int end = text.indexOf(quote, at + 1);
        if (end < 0) {
            throw error("unterminated string");
        }
        String value = text.substring(at + 1, end);
        if (value.indexOf('\\') >= 0) {
            throw error("escape sequences are not supported in header strings");
        }
        at = end + 1;
        return value;
    }

    private void expect(char c) {
        skipSpace();
        if (peek() != c) {
            throw error("expected '" + c + "'");
        }
        at++;
    }

    private char peek() {
        if (at >= text.length()) {
            throw error("unexpected end of header");
        }
        return text.charAt(at);
    }

    private void skipSpace() {
        while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
            at++;
        }
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException(what + " at character " + at);
    }
}
