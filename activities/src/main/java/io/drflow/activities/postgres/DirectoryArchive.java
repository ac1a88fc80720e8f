package io.drflow.activities.postgres;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A custom-format archive's head rewritten as a directory-format {@code toc.dat}, so pg_restore
 * reads each table's data from a file of its own, which may be a FIFO that drflow fills while the
 * rest of the backup is still being fetched. Both formats share the header and the TOC; only the
 * format byte differs, and each entry's format-specific part: the custom format's data offset
 * becomes the name of the entry's data file ("&lt;dumpId&gt;.dat", "blobs.toc" for large objects,
 * empty for entries without data), as pg_dump -Fd writes it.
 */
public final class DirectoryArchive {

  /** The format byte pg_dump -Fd writes. */
  static final int FORMAT_DIRECTORY = 3;

  private DirectoryArchive() {}

  /**
   * Data of one TOC entry: its block in the custom-format archive, raw bytes [start, end).
   *
   * @param fileName the file pg_restore opens for it in the directory
   */
  public record DataItem(int dumpId, String desc, long start, long end, String fileName) {
    public boolean blobs() {
      return "BLOBS".equals(desc);
    }
  }

  /**
   * @param problem why this archive cannot be restored from a directory (then everything else is
   *     empty), or null
   * @param frozenCopies how many tables' COPY statements were rewritten to load rows frozen
   */
  public record Plan(byte[] tocDat, int intSize, List<DataItem> items, String problem, int frozenCopies) {
    static Plan no(String why) {
      return new Plan(new byte[0], 0, List.of(), why, 0);
    }
  }

  /**
   * @param head the archive's first bytes with its data offsets set (the chunk index's raw
   *     patches applied), holding at least the whole TOC
   * @param rawBytes the whole archive's size: the last data block ends there
   */
  public static Plan plan(byte[] head, long rawBytes) {
    return plan(head, rawBytes, false);
  }

  /**
   * As {@link #plan(byte[], long)}; with {@code freezeRows}, each table's COPY that can load its
   * rows frozen says {@code WITH (FREEZE)} (see {@link #frozenCopy}). Only for {@code pg_restore
   * -j2} and more: a serial pg_restore does not truncate before its COPYs, which FREEZE requires.
   */
  public static Plan plan(byte[] head, long rawBytes, boolean freezeRows) {
    ArchiveOffsets.Head h;
    try {
      h = ArchiveOffsets.readHead(head, head.length);
    } catch (IOException e) {
      return Plan.no(e.getMessage());
    }
    if (h == null) {
      return Plan.no("the TOC is not complete in the first bytes read");
    }
    if (h.compression() != 0) {
      return Plan.no("the archive's data is compressed by pg_dump (" + h.compression() + ")");
    }
    List<ArchiveOffsets.HeadEntry> withData = new ArrayList<>();
    for (ArchiveOffsets.HeadEntry e : h.entries()) {
      if (e.flag() == ArchiveOffsets.OFFSET_POS_NOT_SET) {
        return Plan.no("the data offset of TOC entry " + e.dumpId() + " is not recorded");
      }
      if (e.flag() == ArchiveOffsets.OFFSET_POS_SET) {
        if (!"TABLE DATA".equals(e.desc()) && !"BLOBS".equals(e.desc())) {
          return Plan.no("TOC entry " + e.dumpId() + " has data of a kind drflow does not stream: " + e.desc());
        }
        if (e.offset() < h.length() || e.offset() >= rawBytes) {
          return Plan.no("TOC entry " + e.dumpId() + " has its data outside the archive's data");
        }
        withData.add(e);
      }
    }
    withData.sort(Comparator.comparingLong(ArchiveOffsets.HeadEntry::offset));
    List<DataItem> items = new ArrayList<>();
    for (int i = 0; i < withData.size(); i++) {
      ArchiveOffsets.HeadEntry e = withData.get(i);
      long end = i + 1 < withData.size() ? withData.get(i + 1).offset() : rawBytes;
      if (end <= e.offset()) {
        return Plan.no("two data blocks start at byte " + e.offset());
      }
      items.add(new DataItem(e.dumpId(), e.desc(), e.offset(), end, fileName(e)));
    }

    // The directory format differs in each entry's offset field (a file name instead) and, where
    // the rows load frozen, in the COPY statement: rewrite those fields, copy the rest as it is.
    java.util.Set<String> tables = new java.util.HashSet<>();
    for (ArchiveOffsets.HeadEntry e : h.entries()) {
      if ("TABLE".equals(e.desc())) {
        tables.add(e.namespace() + '\0' + e.tag());
      }
    }
    List<Field> fields = new ArrayList<>();
    int frozen = 0;
    for (ArchiveOffsets.HeadEntry e : h.entries()) {
      fields.add(new Field(e.offsetField(), 1 + h.offSize(), string(h.intSize(), fileName(e))));
      byte[] copy = freezeRows ? frozenCopy(e, tables) : null;
      if (copy != null) {
        fields.add(new Field(e.copyField(), e.copyFieldLength(), string(h.intSize(), copy)));
        frozen++;
      }
    }
    fields.sort(Comparator.comparingInt(Field::at));
    ByteArrayOutputStream out = new ByteArrayOutputStream(h.length() + 32 * h.entries().size());
    out.write(head, 0, h.formatAt());
    out.write(FORMAT_DIRECTORY);
    int at = h.formatAt() + 1;
    for (Field f : fields) {
      out.write(head, at, f.at() - at);
      out.write(f.replacement(), 0, f.replacement().length);
      at = f.at() + f.length();
    }
    out.write(head, at, h.length() - at);
    return new Plan(out.toByteArray(), h.intSize(), List.copyOf(items), null, frozen);
  }

  /** A field of the head to write differently: {@code length} bytes at {@code at}. */
  private record Field(int at, int length, byte[] replacement) {}

  private static final byte[] COPY_END = " FROM stdin;\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] FROZEN_COPY_END = " FROM stdin WITH (FREEZE);\n".getBytes(StandardCharsets.US_ASCII);

  /**
   * The entry's COPY statement loading its rows frozen, or null when it must stay as dumped.
   *
   * <p>Rows loaded frozen need no hint bits set and their pages are marked all-visible as they are
   * written, so the index builds and foreign key checks that follow read the table without
   * dirtying every page again (measured: post-data 40% faster, a foreign key check 4x), and the
   * restored database owes no anti-wraparound vacuum for them. PostgreSQL allows FREEZE only when
   * the table was created or truncated in the same transaction, which {@code pg_restore -j} does
   * for each table it created in this run: it wraps the COPY in a transaction after a {@code
   * TRUNCATE ONLY}. So only the plain data of a table (not loaded through its partitioned root,
   * not a foreign table) whose statement targets that very table qualifies.
   */
  static byte[] frozenCopy(ArchiveOffsets.HeadEntry e, java.util.Set<String> tables) {
    if (!"TABLE DATA".equals(e.desc()) || e.loadViaPartitionRoot()
        || !tables.contains(e.namespace() + '\0' + e.tag())) {
      return null;
    }
    byte[] stmt = e.copyStmt();
    if (stmt == null || stmt.length < COPY_END.length
        || !java.util.Arrays.equals(stmt, stmt.length - COPY_END.length, stmt.length, COPY_END, 0, COPY_END.length)
        || !List.of(e.namespace(), e.tag()).equals(copyTarget(new String(stmt, StandardCharsets.UTF_8)))) {
      return null;
    }
    byte[] out = java.util.Arrays.copyOf(stmt, stmt.length - COPY_END.length + FROZEN_COPY_END.length);
    System.arraycopy(FROZEN_COPY_END, 0, out, stmt.length - COPY_END.length, FROZEN_COPY_END.length);
    return out;
  }

  /**
   * The schema and table a {@code COPY schema.table ...} statement names, as PostgreSQL reads the
   * identifiers (quotes removed, doubled quotes undone); null when it does not read that way.
   */
  static List<String> copyTarget(String stmt) {
    if (!stmt.startsWith("COPY ")) {
      return null;
    }
    List<String> names = new ArrayList<>();
    int i = 5;
    while (names.size() < 2) {
      StringBuilder name = new StringBuilder();
      if (i < stmt.length() && stmt.charAt(i) == '"') {
        i++;
        while (true) {
          if (i >= stmt.length()) {
            return null;
          }
          char c = stmt.charAt(i++);
          if (c == '"') {
            if (i < stmt.length() && stmt.charAt(i) == '"') {
              name.append('"');
              i++;
            } else {
              break;
            }
          } else {
            name.append(c);
          }
        }
      } else {
        while (i < stmt.length() && " .(\n\"".indexOf(stmt.charAt(i)) < 0) {
          name.append(stmt.charAt(i++));
        }
      }
      if (name.isEmpty() || i >= stmt.length()) {
        return null;
      }
      names.add(name.toString());
      char next = stmt.charAt(i++);
      if (next != (names.size() == 1 ? '.' : ' ')) {
        return null;
      }
    }
    return names;
  }

  private static String fileName(ArchiveOffsets.HeadEntry e) {
    if (e.flag() != ArchiveOffsets.OFFSET_POS_SET) {
      return "";
    }
    return "BLOBS".equals(e.desc()) ? "blobs.toc" : e.dumpId() + ".dat";
  }

  /** pg_dump's WriteStr, as bytes. */
  private static byte[] string(int intSize, String s) {
    return string(intSize, s.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] string(int intSize, byte[] b) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(1 + intSize + b.length);
    writeInt(out, intSize, b.length);
    out.write(b, 0, b.length);
    return out.toByteArray();
  }

  /** pg_dump's WriteInt: a sign byte, then intSize bytes, least significant first. */
  private static void writeInt(ByteArrayOutputStream out, int intSize, int v) {
    out.write(v < 0 ? 1 : 0);
    long m = Math.abs((long) v);
    for (int k = 0; k < intSize; k++) {
      out.write((int) (m & 0xff));
      m >>>= 8;
    }
  }

  /** Where the payload of a data block goes. */
  public interface Sink {
    void data(byte[] b, int off, int len) throws IOException;

    /** A large object starts (BLOBS blocks only); {@code oid} as PostgreSQL prints it. */
    default void blobStart(long oid) throws IOException {}

    default void blobEnd() throws IOException {}
  }

  /**
   * A push parser over one data block of a custom-format archive, in pieces of any size: checks
   * its header and hands on the payload of its length-prefixed chunks, which is what the
   * directory format keeps in the entry's file.
   */
  public static final class BlockReader {

    private enum State { HEADER, BLOB_OID, CHUNK_LENGTH, PAYLOAD, DONE }

    private final int intSize;
    private final int dumpId;
    private final boolean blobs;
    private final Sink sink;
    private final byte[] field = new byte[16];
    private int fieldLength;
    private int fieldNeeded;
    private long payloadLeft;
    private State state = State.HEADER;

    public BlockReader(int intSize, DataItem item, Sink sink) {
      this.intSize = intSize;
      this.dumpId = item.dumpId();
      this.blobs = item.blobs();
      this.sink = sink;
      this.fieldNeeded = 2 + intSize;
    }

    public boolean done() {
      return state == State.DONE;
    }

    public void accept(byte[] b, int off, int len) throws IOException {
      int end = off + len;
      int i = off;
      while (i < end) {
        switch (state) {
          case PAYLOAD -> {
            int n = (int) Math.min(payloadLeft, end - i);
            sink.data(b, i, n);
            i += n;
            payloadLeft -= n;
            if (payloadLeft == 0) {
              expect(State.CHUNK_LENGTH);
            }
          }
          case DONE -> throw new IOException(
              "data block of TOC entry " + dumpId + " goes on after its end");
          default -> {
            int n = Math.min(fieldNeeded - fieldLength, end - i);
            System.arraycopy(b, i, field, fieldLength, n);
            fieldLength += n;
            i += n;
            if (fieldLength == fieldNeeded) {
              field();
            }
          }
        }
      }
    }

    private void expect(State next) {
      state = next;
      fieldLength = 0;
      fieldNeeded = 1 + intSize;
    }

    private void field() throws IOException {
      switch (state) {
        case HEADER -> {
          int type = field[0] & 0xff;
          int id = readInt(1);
          int want = blobs ? ArchiveOffsets.BLK_BLOBS : ArchiveOffsets.BLK_DATA;
          if (type != want || id != dumpId) {
            throw new IOException("expected the data block of TOC entry " + dumpId + " (type " + want
                + "), found type " + type + " of entry " + id);
          }
          expect(blobs ? State.BLOB_OID : State.CHUNK_LENGTH);
        }
        case BLOB_OID -> {
          int oid = readInt(0);
          if (oid == 0) {
            state = State.DONE;
          } else {
            sink.blobStart(oid & 0xffffffffL);
            expect(State.CHUNK_LENGTH);
          }
        }
        case CHUNK_LENGTH -> {
          int length = readInt(0);
          if (length < 0) {
            throw new IOException("negative chunk length in the data of TOC entry " + dumpId);
          }
          if (length == 0) {
            if (blobs) {
              sink.blobEnd();
              expect(State.BLOB_OID);
            } else {
              state = State.DONE;
            }
          } else {
            payloadLeft = length;
            state = State.PAYLOAD;
          }
        }
        default -> throw new IllegalStateException(state.toString());
      }
    }

    private int readInt(int at) {
      long v = 0;
      for (int k = 0; k < intSize; k++) {
        v |= (long) (field[at + 1 + k] & 0xff) << (8 * k);
      }
      return (int) (field[at] != 0 ? -v : v);
    }
  }
}
