package org.mutor.common.format.torch;

import org.mutor.common.format.FormatException;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Interprets the subset of the pickle protocol (versions 0 to 5) that {@code torch.save}
 * and the standard pickler emit for checkpoints. Globals go through {@link TorchGlobals},
 * which rejects every name outside its allow-list, so interpreting never calls code.
 *
 * <p>Python values become: int as Long (BigInteger past 64 bits), float as Double, str as
 * String, bool as Boolean, None as null, bytes as byte[], dict as LinkedHashMap, list as
 * ArrayList and tuple as an unmodifiable List.
 */
final class PickleReader {

    /** Maps a persistent id (the value of a BINPERSID or PERSID opcode) to an object. */
    @FunctionalInterface
    interface PersistentLoader {
        Object load(Object persistentId) throws FormatException;
    }

    private static final Object MARK = new Object() {
        @Override
        public String toString() {
            return "MARK";
        }
    };

    private final ByteBuffer in;
    private final String source;
    private final PersistentLoader loader;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private int pos;

    private PickleReader(ByteBuffer in, int start, String source, PersistentLoader loader) {
        this.in = in.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        this.pos = start;
        this.source = source;
        this.loader = loader;
    }

    /** One unpickled value and the index of the byte after its STOP opcode. */
    record Result(Object value, int end) {
    }

    /**
     * Unpickles one value starting at absolute index {@code start} of {@code buffer}.
     *
     * @param source names the pickle in error messages, for example {@code model.pt:archive/data.pkl}
     * @throws FormatException when the pickle is truncated, malformed or uses an unsupported opcode
     * @throws UnsafePickleException when it names a global outside the allow-list
     */
    static Result read(ByteBuffer buffer, int start, String source, PersistentLoader loader) throws FormatException {
        PickleReader reader = new PickleReader(buffer, start, source, loader);
        Object value = reader.run();
        return new Result(value, reader.pos);
    }

    private Object run() throws FormatException {
        while (true) {
            int at = pos;
            int op = u8();
            try {
                if (step(op)) {
                    if (stack.size() != 1 || !marks.isEmpty()) {
                        throw error(at, "STOP with " + stack.size() + " values on the stack, expected 1");
                    }
                    return stack.get(0);
                }
            } catch (IllegalArgumentException e) {
                throw error(at, e.getMessage());
            } catch (ClassCastException | IndexOutOfBoundsException e) {
                throw error(at, "opcode 0x" + Integer.toHexString(op) + " found operands of the wrong kind ("
                        + e.getMessage() + ")");
            }
        }
    }

    /** Executes one opcode; returns true at STOP. */
    private boolean step(int op) throws FormatException {
        switch (op) {
            case 0x80: { // PROTO
                int protocol = u8();
                if (protocol > 5) {
                    throw error(pos - 2, "pickle protocol " + protocol + " is newer than 5");
                }
                return false;
            }
            case 0x95: // FRAME: the length only groups opcodes, so it is skipped.
                take(8);
                return false;
            case '.': // STOP
                return true;
            case '(': // MARK
                marks.add(stack.size());
                stack.add(MARK);
                return false;
            case '0': // POP
                pop();
                return false;
            case '1': // POP_MARK
                popMark();
                return false;
            case '2': // DUP
                push(peek());
                return false;
            case 'N':
                push(null);
                return false;
            case 0x88: // NEWTRUE
                push(Boolean.TRUE);
                return false;
            case 0x89: // NEWFALSE
                push(Boolean.FALSE);
                return false;
            case 'J': // BININT
                push((long) take(4).getInt());
                return false;
            case 'K': // BININT1
                push((long) u8());
                return false;
            case 'M': // BININT2
                push((long) (take(2).getShort() & 0xFFFF));
                return false;
            case 0x8a: // LONG1
                push(decodeLong(bytes(u8())));
                return false;
            case 0x8b: // LONG4
                push(decodeLong(bytes(length(take(4).getInt()))));
                return false;
            case 'I': // INT (text; I00/I01 are False/True)
                push(parseTextInt(line()));
                return false;
            case 'L': { // LONG (text, trailing L)
                String text = line();
                push(narrow(new BigInteger(text.endsWith("L") ? text.substring(0, text.length() - 1) : text)));
                return false;
            }
            case 'G': // BINFLOAT, big-endian
                push(take(8).order(ByteOrder.BIG_ENDIAN).getDouble());
                return false;
            case 'F': // FLOAT (text)
                push(parseTextFloat(line()));
                return false;
            case 'X': // BINUNICODE
                push(utf8(length(take(4).getInt())));
                return false;
            case 0x8c: // SHORT_BINUNICODE
                push(utf8(u8()));
                return false;
            case 0x8d: // BINUNICODE8
                push(utf8(length(take(8).getLong())));
                return false;
            case 'B': // BINBYTES
                push(bytes(length(take(4).getInt())));
                return false;
            case 'C': // SHORT_BINBYTES
                push(bytes(u8()));
                return false;
            case 0x8e: // BINBYTES8
                push(bytes(length(take(8).getLong())));
                return false;
            case 'T': // BINSTRING: Python 2 str, read as Latin-1 text
                push(new String(bytes(length(take(4).getInt())), StandardCharsets.ISO_8859_1));
                return false;
            case 'U': // SHORT_BINSTRING
                push(new String(bytes(u8()), StandardCharsets.ISO_8859_1));
                return false;
            case '}': // EMPTY_DICT
                push(new LinkedHashMap<Object, Object>());
                return false;
            case ']': // EMPTY_LIST
                push(new ArrayList<Object>());
                return false;
            case ')': // EMPTY_TUPLE
                push(tuple(List.of()));
                return false;
            case 0x8f: // EMPTY_SET
                push(new LinkedHashSet<Object>());
                return false;
            case 0x85: // TUPLE1
                push(tuple(popN(1)));
                return false;
            case 0x86: // TUPLE2
                push(tuple(popN(2)));
                return false;
            case 0x87: // TUPLE3
                push(tuple(popN(3)));
                return false;
            case 't': // TUPLE
                push(tuple(popMark()));
                return false;
            case 'l': // LIST
                push(new ArrayList<>(popMark()));
                return false;
            case 'd': { // DICT
                Map<Object, Object> dict = new LinkedHashMap<>();
                putPairs(dict, popMark());
                push(dict);
                return false;
            }
            case 0x91: // FROZENSET
                push(Collections.unmodifiableSet(new LinkedHashSet<>(popMark())));
                return false;
            case 'a': { // APPEND
                Object value = pop();
                asList(peek()).add(value);
                return false;
            }
            case 'e': { // APPENDS
                List<Object> values = popMark();
                asList(peek()).addAll(values);
                return false;
            }
            case 's': { // SETITEM
                Object value = pop();
                Object key = pop();
                asDict(peek()).put(key, value);
                return false;
            }
            case 'u': { // SETITEMS
                List<Object> pairs = popMark();
                putPairs(asDict(peek()), pairs);
                return false;
            }
            case 0x90: { // ADDITEMS
                List<Object> values = popMark();
                @SuppressWarnings("unchecked")
                java.util.Set<Object> set = (java.util.Set<Object>) peek();
                set.addAll(values);
                return false;
            }
            case 'q': // BINPUT
                memo.put((long) u8(), peek());
                return false;
            case 'r': // LONG_BINPUT
                memo.put(take(4).getInt() & 0xFFFFFFFFL, peek());
                return false;
            case 0x94: // MEMOIZE
                memo.put((long) memo.size(), peek());
                return false;
            case 'p': // PUT
                memo.put(Long.parseLong(line().trim()), peek());
                return false;
            case 'h': // BINGET
                push(memoGet(u8()));
                return false;
            case 'j': // LONG_BINGET
                push(memoGet(take(4).getInt() & 0xFFFFFFFFL));
                return false;
            case 'g': // GET
                push(memoGet(Long.parseLong(line().trim())));
                return false;
            case 'c': { // GLOBAL
                String module = line();
                String name = line();
                push(TorchGlobals.resolve(module, name));
                return false;
            }
            case 0x93: { // STACK_GLOBAL
                Object name = pop();
                Object module = pop();
                if (!(module instanceof String) || !(name instanceof String)) {
                    throw error(pos - 1, "STACK_GLOBAL needs two strings, found " + module + " and " + name);
                }
                push(TorchGlobals.resolve((String) module, (String) name));
                return false;
            }
            case 'R': { // REDUCE
                Object args = pop();
                Object callable = pop();
                push(TorchGlobals.call(callable, asTuple(args)));
                return false;
            }
            case 0x81: { // NEWOBJ
                Object args = pop();
                Object cls = pop();
                push(TorchGlobals.newObject(cls, asTuple(args)));
                return false;
            }
            case 'b': { // BUILD
                Object state = pop();
                TorchGlobals.build(peek(), state);
                return false;
            }
            case 'Q': // BINPERSID
                push(loader.load(pop()));
                return false;
            case 'P': // PERSID
                push(loader.load(line()));
                return false;
            default:
                throw error(pos - 1, "unsupported pickle opcode 0x" + Integer.toHexString(op)
                        + "; checkpoints written by torch.save do not use it");
        }
    }

    private static List<Object> tuple(List<Object> items) {
        return Collections.unmodifiableList(new ArrayList<>(items));
    }

    private void putPairs(Map<Object, Object> dict, List<Object> pairs) throws FormatException {
        if (pairs.size() % 2 != 0) {
            throw error(pos - 1, "odd number of values (" + pairs.size() + ") for dict items");
        }
        for (int i = 0; i < pairs.size(); i += 2) {
            dict.put(pairs.get(i), pairs.get(i + 1));
        }
    }

    @SuppressWarnings("unchecked")
    private List<Object> asList(Object value) throws FormatException {
        if (value instanceof ArrayList) {
            return (List<Object>) value;
        }
        throw error(pos - 1, "APPEND to a " + describe(value) + ", expected a list");
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> asDict(Object value) throws FormatException {
        if (value instanceof LinkedHashMap) {
            return (Map<Object, Object>) value;
        }
        throw error(pos - 1, "SETITEM on a " + describe(value) + ", expected a dict");
    }

    @SuppressWarnings("unchecked")
    private List<Object> asTuple(Object value) throws FormatException {
        if (value instanceof List) {
            return (List<Object>) value;
        }
        throw error(pos - 1, "call arguments are a " + describe(value) + ", expected a tuple");
    }

    static String describe(Object value) {
        return value == null ? "None" : value.getClass().getSimpleName();
    }

    private Object memoGet(long index) throws FormatException {
        if (!memo.containsKey(index)) {
            throw error(pos - 1, "memo index " + index + " was never stored");
        }
        return memo.get(index);
    }

    private void push(Object value) {
        stack.add(value);
    }

    private Object peek() throws FormatException {
        if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) {
            throw error(pos - 1, "stack underflow");
        }
        return stack.get(stack.size() - 1);
    }

    private Object pop() throws FormatException {
        Object value = peek();
        stack.remove(stack.size() - 1);
        return value;
    }

    private List<Object> popN(int n) throws FormatException {
        Object[] values = new Object[n];
        for (int i = n - 1; i >= 0; i--) {
            values[i] = pop();
        }
        return Arrays.asList(values);
    }

    private List<Object> popMark() throws FormatException {
        if (marks.isEmpty()) {
            throw error(pos - 1, "opcode needs a MARK but none is open");
        }
        int mark = marks.remove(marks.size() - 1);
        List<Object> items = new ArrayList<>(stack.subList(mark + 1, stack.size()));
        stack.subList(mark, stack.size()).clear();
        return items;
    }

    private int u8() throws FormatException {
        if (pos >= in.limit()) {
            throw truncated(1);
        }
        return in.get(pos++) & 0xFF;
    }

    private ByteBuffer take(int n) throws FormatException {
        if (n > in.limit() - pos) {
            throw truncated(n);
        }
        ByteBuffer slice = in.slice(pos, n).order(ByteOrder.LITTLE_ENDIAN);
        pos += n;
        return slice;
    }

    private byte[] bytes(int n) throws FormatException {
        byte[] out = new byte[n];
        take(n).get(out);
        return out;
    }

    private String utf8(int n) throws FormatException {
        return new String(bytes(n), StandardCharsets.UTF_8);
    }

    private int length(long n) throws FormatException {
        if (n < 0 || n > in.limit() - pos) {
            throw error(pos, "length " + (n < 0 ? Long.toUnsignedString(n) : n) + " exceeds the "
                    + (in.limit() - pos) + " bytes left (truncated or corrupt pickle)");
        }
        return (int) n;
    }

    private String line() throws FormatException {
        int start = pos;
        while (pos < in.limit()) {
            if (in.get(pos++) == '\n') {
                byte[] text = new byte[pos - 1 - start];
                in.get(start, text);
                return new String(text, StandardCharsets.UTF_8);
            }
        }
        pos = start;
        throw truncated(1);
    }

    private Object parseTextInt(String text) throws FormatException {
        if (text.equals("00")) {
            return Boolean.FALSE;
        }
        if (text.equals("01")) {
            return Boolean.TRUE;
        }
        try {
            return narrow(new BigInteger(text.trim()));
        } catch (NumberFormatException e) {
            throw error(pos, "INT opcode contains '" + text + "', not an integer");
        }
    }

    private double parseTextFloat(String text) throws FormatException {
        try {
            return Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            throw error(pos, "FLOAT opcode contains '" + text + "', not a number");
        }
    }

    /** Decodes a little-endian two's-complement integer, as LONG1 and LONG4 store it. */
    static Object decodeLong(byte[] littleEndian) {
        if (littleEndian.length == 0) {
            return 0L;
        }
        byte[] bigEndian = new byte[littleEndian.length];
        for (int i = 0; i < littleEndian.length; i++) {
            bigEndian[i] = littleEndian[littleEndian.length - 1 - i];
        }
        return narrow(new BigInteger(bigEndian));
    }

    private static Object narrow(BigInteger value) {
        return value.bitLength() < 64 ? (Object) value.longValue() : value;
    }

    private FormatException truncated(int wanted) {
        return new FormatException(source + ": pickle ends at byte " + in.limit() + " while " + wanted
                + " more bytes were expected at byte " + pos + " (file truncated or corrupt)");
    }

    private FormatException error(int at, String message) {
        return new FormatException(source + ": pickle byte " + at + ": " + message);
    }
}
