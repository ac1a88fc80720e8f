package io.drflow.activities.postgres;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The data offsets a custom-format archive lacks when pg_dump wrote it to a pipe, as drflow's
 * streamed backups do. pg_dump writes its table of contents before the data; when it can seek, it
 * goes back at the end and fills in where each table's data block starts. Through a pipe it cannot,
 * and then {@code pg_restore -j} has every worker scan the file for each block it needs and cannot
 * schedule the biggest tables first: measured on a 1 GB database, restores took about 60% longer
 * and pg_restore itself burned four times the CPU.
 *
 * <p>{@link Scanner} reads the archive as a stream (header, TOC, then only the block and chunk
 * headers of the data) and yields {@link Patch}es: the bytes pg_dump would have rewritten, each no
 * bigger than the placeholder it replaces, so the file's size and everything else in it stay
 * exactly as dumped. Anything it does not recognise makes it give up (no patches), never guess:
 * the archive then restores as before, only slower.
 */
public final class ArchiveOffsets {

  static final byte[] MAGIC = {'P', 'G', 'D', 'M', 'P'};
  static final int FORMAT_CUSTOM = 1;
  static final int BLK_DATA = 1;
  static final int BLK_BLOBS = 3;
  static final int OFFSET_POS_NOT_SET = 1;
  static final int OFFSET_POS_SET = 2;
  static final int OFFSET_NO_DATA = 3;
  /** Archive versions whose TOC layout this reader knows: PostgreSQL 9.0 to 18 write 1.12-1.16. */
  static final int MIN_VERSION = version(1, 12, 0);

  static final int MAX_VERSION = version(1, 16, 255);

  /** How pg_dump --load-via-partition-root starts the definition of such a data entry. */
  static final byte[] LOAD_VIA_PARTITION_ROOT =
      "-- load via partition root ".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private ArchiveOffsets() {}

  static int version(int major, int minor, int rev) {
    return (major * 256 + minor) * 256 + rev;
  }

  /**
   * Bytes to write at {@code position}, valid only where the file still holds {@code expected}
   * (an unset offset: flag 1 and zeros).
   */
  public record Patch(long position, byte[] expected, byte[] replacement) {
    public Patch {
      if (expected.length != replacement.length) {
        throw new IllegalArgumentException("a patch must not change the file's length");
      }
    }
  }

  /**
   * A TOC entry that drflow follows while pg_restore works: table and materialized view data,
   * primary key, unique and exclusion constraints, and foreign keys.
   *
   * @param tag pg_dump's tag: the table's name for data, "table constraint" for constraints
   */
  public record TocItem(int dumpId, String desc, String namespace, String tag) {}

  static final java.util.Set<String> FOLLOWED =
      java.util.Set.of("TABLE DATA", "MATERIALIZED VIEW DATA", "FK CONSTRAINT", "CONSTRAINT");

  /**
   * The followed entries of the archive's TOC by dump id, read from the start of {@code file}
   * only; empty when it is not an archive drflow can read.
   */
  public static Map<Integer, TocItem> tocItems(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      Scanner toc = new Scanner();
      ByteBuffer buf = ByteBuffer.allocate(1 << 20);
      long pos = 0;
      while (!toc.tocRead() && toc.problem() == null) {
        buf.clear();
        int n = ch.read(buf, pos);
        if (n < 0) {
          toc.finish();
          break;
        }
        toc.accept(buf.array(), 0, n);
        pos += n;
      }
      Map<Integer, TocItem> out = new HashMap<>();
      for (TocItem i : toc.items) {
        out.put(i.dumpId(), i);
      }
      return out;
    }
  }

  /**
   * One TOC entry as {@link #readHead} sees it.
   *
   * @param offsetField where its data offset field (a flag byte, then offSize bytes) lies in the
   *     head
   * @param flag 1 offset not set, 2 set, 3 no data
   * @param offset the data block's position in the archive when {@code flag} is 2
   * @param copyField where its COPY statement field (a length, then the bytes) lies in the head,
   *     {@code copyFieldLength} bytes in all
   * @param copyStmt the COPY statement's bytes as dumped; null for pg_dump's null string
   * @param loadViaPartitionRoot whether pg_dump --load-via-partition-root marked the entry's data
   *     as loaded through its partitioned root rather than into the table itself
   */
  public record HeadEntry(
      int dumpId,
      String desc,
      String namespace,
      String tag,
      int copyField,
      int copyFieldLength,
      byte[] copyStmt,
      boolean loadViaPartitionRoot,
      int offsetField,
      int flag,
      long offset) {}

  /**
   * An archive's header and TOC, parsed.
   *
   * @param length bytes the header and TOC take; the data blocks start there
   * @param formatAt the position of the format byte
   * @param compression the header's compression level (archive 1.14 and older) or algorithm
   *     (1.15 and newer): 0 means none either way
   */
  public record Head(
      int version, int intSize, int offSize, int formatAt, int compression, int length,
      List<HeadEntry> entries, List<TocItem> items) {}

  /**
   * Header and TOC of a custom-format archive from its first {@code length} bytes; null when they
   * do not hold the whole TOC yet.
   *
   * @throws IOException when it is not an archive drflow reads
   */
  public static Head readHead(byte[] b, int length) throws IOException {
    Scanner.Toc t = new Scanner.Toc(b, length);
    try {
      t.parse();
    } catch (Scanner.NeedMore more) {
      return null;
    } catch (Scanner.Unreadable e) {
      throw new IOException(e.getMessage());
    }
    return new Head(t.version, t.intSize, t.offSize, t.formatAt, t.compression, t.cursor,
        List.copyOf(t.all), List.copyOf(t.items));
  }

  /** What {@link #ensure} did to a file. */
  public record Outcome(int dataEntries, int alreadySet, int patched, String problem) {}

  /**
   * Makes sure {@code file} records where its data blocks lie: reads its TOC, and when offsets are
   * missing scans the data and writes them in. Files written by a seeking pg_dump, or already
   * patched, are left alone after reading the TOC. Never throws for an archive it cannot read: the
   * outcome says why, and the file is untouched.
   */
  public static Outcome ensure(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      Scanner toc = new Scanner();
      ByteBuffer buf = ByteBuffer.allocate(1 << 20);
      long pos = 0;
      while (!toc.tocRead() && toc.problem() == null) {
        buf.clear();
        int n = ch.read(buf, pos);
        if (n < 0) {
          toc.finish();
          break;
        }
        toc.accept(buf.array(), 0, n);
        pos += n;
      }
      if (!toc.tocRead()) {
        return new Outcome(0, 0, 0, toc.problem() == null ? "no complete TOC" : toc.problem());
      }
      int dataEntries = toc.unsetOffsets() + toc.setOffsets();
      if (toc.unsetOffsets() == 0) {
        return new Outcome(dataEntries, toc.setOffsets(), 0, null);
      }
      Scanner all = new Scanner();
      pos = 0;
      while (true) {
        buf.clear();
        int n = ch.read(buf, pos);
        if (n < 0) {
          break;
        }
        all.accept(buf.array(), 0, n);
        if (all.problem() != null) {
          return new Outcome(dataEntries, toc.setOffsets(), 0, all.problem());
        }
        pos += n;
      }
      List<Patch> patches = all.finish();
      if (all.problem() != null) {
        return new Outcome(dataEntries, toc.setOffsets(), 0, all.problem());
      }
      int applied = apply(ch, patches);
      return new Outcome(dataEntries, toc.setOffsets(), applied, null);
    }
  }

  /**
   * Writes the patches whose positions hold their expected bytes (or already hold the
   * replacement). If any position holds something else the file is not what the patches were made
   * for, and none is written.
   *
   * @return how many were written (0 when all were already in place)
   */
  public static int apply(FileChannel ch, List<Patch> patches) throws IOException {
    List<Patch> todo = new ArrayList<>();
    for (Patch p : patches) {
      ByteBuffer current = ByteBuffer.allocate(p.expected().length);
      while (current.hasRemaining()) {
        if (ch.read(current, p.position() + current.position()) < 0) {
          throw new IOException("offset patch at " + p.position() + " lies beyond the end of the file");
        }
      }
      byte[] have = current.array();
      if (Arrays.equals(have, p.replacement())) {
        continue;
      }
      if (!Arrays.equals(have, p.expected())) {
        throw new IOException(
            "the archive does not hold an unset data offset at byte " + p.position()
                + "; not patching it");
      }
      todo.add(p);
    }
    for (Patch p : todo) {
      ByteBuffer b = ByteBuffer.wrap(p.replacement());
      while (b.hasRemaining()) {
        ch.write(b, p.position() + b.position());
      }
    }
    return todo.size();
  }

  /**
   * A push parser over an archive's bytes in order, in pieces of any size. It keeps the TOC's
   * offset placeholders and, for the data, only block and chunk headers: chunk payloads are
   * skipped by arithmetic, so it costs little beside whatever else reads the stream.
   */
  public static final class Scanner {

    private enum State { TOC, BLOCK_HEADER, CHUNK_LENGTH, BLOB_OID, SKIP, DONE, FAILED }

    /** An entry with data: where its offset placeholder is and what it says. */
    private record Entry(int dumpId, long offsetField, int flag) {}

    private State state = State.TOC;
    private String problem;
    private long position; // absolute offset of the next byte accepted

    // TOC phase: bytes are kept until the whole TOC parses.
    private byte[] head = new byte[64 * 1024];
    private int headLength;
    private int nextAttempt;
    private int intSize;
    private int offSize;
    private final List<Entry> entries = new ArrayList<>();
    private final List<TocItem> items = new ArrayList<>();
    private boolean tocRead;

    // Data phase.
    private final byte[] pending = new byte[64];
    private int pendingLength;
    private int pendingNeeded;
    private long skip;
    private boolean inBlobs;
    private int blockType;
    private long blockStart;
    private final Map<Integer, Long> blocks = new HashMap<>();

    public void accept(byte[] b, int off, int len) {
      int end = off + len;
      int i = off;
      while (i < end) {
        switch (state) {
          case TOC -> {
            int n = end - i;
            if (headLength + n > head.length) {
              head = Arrays.copyOf(head, Math.max(head.length * 2, headLength + n));
            }
            System.arraycopy(b, i, head, headLength, n);
            headLength += n;
            position += n;
            i = end;
            // A huge TOC arrives in many pieces: parsing again only once the bytes have doubled
            // keeps the repeated attempts linear in its size.
            if (headLength >= nextAttempt) {
              parseToc();
            }
          }
          case SKIP -> {
            long n = Math.min(skip, end - i);
            i += (int) n;
            position += n;
            skip -= n;
            if (skip == 0) {
              state = State.CHUNK_LENGTH;
              expect(1 + intSize);
            }
          }
          case BLOCK_HEADER, CHUNK_LENGTH, BLOB_OID -> {
            int n = Math.min(pendingNeeded - pendingLength, end - i);
            if (state == State.BLOCK_HEADER && pendingLength == 0) {
              blockStart = position;
            }
            System.arraycopy(b, i, pending, pendingLength, n);
            pendingLength += n;
            i += n;
            position += n;
            if (pendingLength == pendingNeeded) {
              field();
            }
          }
          case DONE, FAILED -> {
            position += end - i;
            i = end;
          }
        }
      }
    }

    /**
     * Ends the stream and returns the patches that fill in every data offset found, or none when
     * the archive could not be read to its end (see {@link #problem()}).
     */
    public List<Patch> finish() {
      if (state == State.TOC) {
        parseToc();
      }
      if (problem == null && state != State.BLOCK_HEADER && state != State.DONE) {
        fail(state == State.TOC ? "the archive ends inside its TOC" : "the archive ends inside a data block");
      }
      if (problem == null && pendingLength != 0) {
        fail("the archive ends inside a block header");
      }
      if (problem != null) {
        return List.of();
      }
      state = State.DONE;
      List<Patch> out = new ArrayList<>();
      for (Entry e : entries) {
        Long at = blocks.get(e.dumpId());
        if (e.flag() != OFFSET_POS_NOT_SET || at == null) {
          continue;
        }
        byte[] expected = new byte[1 + offSize];
        expected[0] = OFFSET_POS_NOT_SET;
        byte[] replacement = new byte[1 + offSize];
        replacement[0] = OFFSET_POS_SET;
        long v = at;
        for (int k = 0; k < offSize; k++) {
          replacement[1 + k] = (byte) (v & 0xff);
          v >>>= 8;
        }
        out.add(new Patch(e.offsetField(), expected, replacement));
      }
      return out;
    }

    /** Why no patches come out of this stream, or null. */
    public String problem() {
      return problem;
    }

    boolean tocRead() {
      return tocRead;
    }

    int unsetOffsets() {
      return (int) entries.stream().filter(e -> e.flag() == OFFSET_POS_NOT_SET).count();
    }

    int setOffsets() {
      return (int) entries.stream().filter(e -> e.flag() == OFFSET_POS_SET).count();
    }

    /** Data blocks found so far: dump id to the offset of the block's header. */
    Map<Integer, Long> blocks() {
      return Map.copyOf(blocks);
    }

    private void fail(String why) {
      problem = why;
      state = State.FAILED;
      head = null;
    }

    private void expect(int n) {
      pendingNeeded = n;
      pendingLength = 0;
    }

    private void field() {
      switch (state) {
        case BLOCK_HEADER -> {
          blockType = pending[0] & 0xff;
          int id = readInt(pending, 1);
          if (blockType != BLK_DATA && blockType != BLK_BLOBS) {
            fail("unknown data block type " + blockType + " at byte " + blockStart);
            return;
          }
          if (id <= 0 || blocks.putIfAbsent(id, blockStart) != null) {
            fail("unexpected data block id " + id + " at byte " + blockStart);
            return;
          }
          inBlobs = blockType == BLK_BLOBS;
          state = inBlobs ? State.BLOB_OID : State.CHUNK_LENGTH;
          expect(1 + intSize);
        }
        case BLOB_OID -> {
          int oid = readInt(pending, 0);
          if (oid == 0) {
            state = State.BLOCK_HEADER;
            expect(2 + intSize);
          } else {
            state = State.CHUNK_LENGTH;
            expect(1 + intSize);
          }
        }
        case CHUNK_LENGTH -> {
          int length = readInt(pending, 0);
          if (length < 0) {
            fail("negative chunk length at byte " + (position - pendingNeeded));
          } else if (length == 0) {
            state = inBlobs ? State.BLOB_OID : State.BLOCK_HEADER;
            expect(inBlobs ? 1 + intSize : 2 + intSize);
          } else {
            skip = length;
            state = State.SKIP;
          }
        }
        default -> throw new IllegalStateException(state.toString());
      }
    }

    /** pg_dump's ReadInt: a sign byte, then intSize bytes, least significant first. */
    private int readInt(byte[] b, int at) {
      long v = 0;
      for (int k = 0; k < intSize; k++) {
        v |= (long) (b[at + 1 + k] & 0xff) << (8 * k);
      }
      return (int) (b[at] != 0 ? -v : v);
    }

    // ---- header and TOC --------------------------------------------------------------------

    private static final class NeedMore extends RuntimeException {
      NeedMore() {
        super(null, null, false, false);
      }
    }

    private static final class Unreadable extends RuntimeException {
      Unreadable(String message) {
        super(message, null, false, false);
      }
    }

    /** Parses header and TOC from the start each time more bytes arrive, until they are whole. */
    private void parseToc() {
      Toc t = new Toc(head, headLength);
      try {
        t.parse();
      } catch (NeedMore more) {
        nextAttempt = headLength * 2;
        return;
      } catch (Unreadable e) {
        fail(e.getMessage());
        return;
      }
      intSize = t.intSize;
      offSize = t.offSize;
      entries.addAll(t.entries);
      items.addAll(t.items);
      tocRead = true;
      byte[] rest = Arrays.copyOfRange(head, t.cursor, headLength);
      long restStart = position - rest.length;
      head = null;
      state = State.BLOCK_HEADER;
      expect(2 + intSize);
      position = restStart;
      accept(rest, 0, rest.length);
    }

    /** ReadHead and ReadToc of pg_backup_archiver.c, for versions 1.12 to 1.16. */
    private static final class Toc {
      private final byte[] b;
      private final int length;
      int cursor;
      int version;
      int intSize;
      int offSize;
      int formatAt;
      int compression;
      final List<Entry> entries = new ArrayList<>();
      final List<TocItem> items = new ArrayList<>();
      final List<HeadEntry> all = new ArrayList<>();

      Toc(byte[] b, int length) {
        this.b = b;
        this.length = length;
      }

      void parse() {
        for (byte m : MAGIC) {
          if (readByte() != m) {
            throw new Unreadable("not a pg_dump custom-format archive");
          }
        }
        int vmaj = readByte();
        int vmin = readByte();
        int vrev = readByte();
        version = version(vmaj, vmin, vrev);
        if (version < MIN_VERSION || version > MAX_VERSION) {
          throw new Unreadable("archive version " + vmaj + "." + vmin + "." + vrev + " is not one drflow reads");
        }
        intSize = readByte();
        offSize = readByte();
        if (intSize < 1 || intSize > 4 || offSize < 1 || offSize > 8) {
          throw new Unreadable("unsupported integer size " + intSize + " / offset size " + offSize);
        }
        formatAt = cursor;
        int format = readByte();
        if (format != FORMAT_CUSTOM) {
          throw new Unreadable("archive format " + format + " is not the custom format");
        }
        if (version >= version(1, 15, 0)) {
          compression = readByte(); // compression algorithm
        } else {
          compression = readInt(); // compression level
        }
        for (int k = 0; k < 7; k++) {
          readInt(); // creation date
        }
        readStr(); // database name
        readStr(); // server version
        readStr(); // pg_dump version
        int count = readInt();
        if (count < 0) {
          throw new Unreadable("negative TOC entry count");
        }
        for (int k = 0; k < count; k++) {
          int dumpId = readInt();
          if (dumpId <= 0) {
            throw new Unreadable("TOC entry id " + dumpId + " out of range");
          }
          readInt(); // hadDumper
          readStr(); // tableoid
          readStr(); // oid
          String tag = readString();
          String desc = readString();
          readInt(); // section
          int defnField = cursor;
          readStr(); // defn
          boolean viaRoot = startsWith(defnField, LOAD_VIA_PARTITION_ROOT);
          readStr(); // dropStmt
          int copyField = cursor;
          byte[] copyStmt = readBytes();
          int copyFieldLength = cursor - copyField;
          String namespace = readString();
          if (desc != null && FOLLOWED.contains(desc)) {
            items.add(new TocItem(dumpId, desc, namespace, tag));
          }
          readStr(); // tablespace
          if (version >= version(1, 14, 0)) {
            readStr(); // tableam
          }
          if (version >= version(1, 16, 0)) {
            readInt(); // relkind
          }
          readStr(); // owner
          readStr(); // "false": tables WITH OIDS are gone
          while (readStr()) {
            // dependencies, until a null string
          }
          long offsetField = cursor;
          int flag = readByte();
          for (int o = 0; o < offSize; o++) {
            readByte();
          }
          if (flag != OFFSET_POS_NOT_SET && flag != OFFSET_POS_SET && flag != OFFSET_NO_DATA) {
            throw new Unreadable("unexpected data offset flag " + flag + " in TOC entry " + dumpId);
          }
          if (flag != OFFSET_NO_DATA) {
            entries.add(new Entry(dumpId, offsetField, flag));
          }
          long offset = 0;
          for (int o = 0; o < offSize; o++) {
            offset |= (long) (b[(int) offsetField + 1 + o] & 0xff) << (8 * o);
          }
          all.add(new HeadEntry(dumpId, desc, namespace, tag, copyField, copyFieldLength, copyStmt, viaRoot,
              (int) offsetField, flag, offset));
        }
      }

      /** Whether the string field read at {@code field} starts with {@code prefix}. */
      private boolean startsWith(int field, byte[] prefix) {
        int start = field + 1 + intSize();
        return b[field] == 0 // not pg_dump's null string
            && cursor - start >= prefix.length
            && Arrays.equals(b, start, start + prefix.length, prefix, 0, prefix.length);
      }

      private int readByte() {
        if (cursor >= length) {
          throw new NeedMore();
        }
        return b[cursor++] & 0xff;
      }

      private int readInt() {
        int sign = readByte();
        long v = 0;
        for (int k = 0; k < intSize(); k++) {
          v |= (long) readByte() << (8 * k);
        }
        return (int) (sign != 0 ? -v : v);
      }

      private int intSize() {
        return intSize == 0 ? 4 : intSize;
      }

      /** A string (null for pg_dump's null string); names are UTF-8 in UTF-8 databases. */
      private String readString() {
        int n = readInt();
        if (n < 0) {
          return null;
        }
        if (cursor + (long) n > length) {
          cursor = length;
          throw new NeedMore();
        }
        String s = new String(b, cursor, n, java.nio.charset.StandardCharsets.UTF_8);
        cursor += n;
        return s;
      }

      /** A string's bytes (null for pg_dump's null string), exactly as dumped. */
      private byte[] readBytes() {
        int at = cursor;
        if (!readStr()) {
          return null;
        }
        int start = at + 1 + intSize();
        return Arrays.copyOfRange(b, start, cursor);
      }

      /** Skips a string; false for the null string that ends a dependency list. */
      private boolean readStr() {
        int n = readInt();
        if (n < 0) {
          return false;
        }
        if (cursor + (long) n > length) {
          // Strings can be long (function bodies): ask for more rather than fail.
          cursor = length;
          throw new NeedMore();
        }
        cursor += n;
        return true;
      }
    }
  }
}
