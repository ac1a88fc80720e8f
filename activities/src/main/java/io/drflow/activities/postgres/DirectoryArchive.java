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
   */
  public record Plan(byte[] tocDat, int intSize, List<DataItem> items, String problem) {
    static Plan no(String why) {
      return new Plan(new byte[0], 0, List.of(), why);
    }
  }

  /**
   * @param head the archive's first bytes with its data offsets set (the chunk index's raw
   *     patches applied), holding at least the whole TOC
   * @param rawBytes the whole archive's size: the last data block ends there
   */
  public static Plan plan(byte[] head, long rawBytes) {
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

    ByteArrayOutputStream out = new ByteArrayOutputStream(h.length() + 16 * h.entries().size());
    out.write(head, 0, h.formatAt());
    out.write(FORMAT_DIRECTORY);
    int at = h.formatAt() + 1;
    List<ArchiveOffsets.HeadEntry> byField = new ArrayList<>(h.entries());
    byField.sort(Comparator.comparingInt(ArchiveOffsets.HeadEntry::offsetField));
    for (ArchiveOffsets.HeadEntry e : byField) {
      out.write(head, at, e.offsetField() - at);
      writeString(out, h.intSize(), fileName(e));
      at = e.offsetField() + 1 + h.offSize();
    }
    out.write(head, at, h.length() - at);
    return new Plan(out.toByteArray(), h.intSize(), List.copyOf(items), null);
  }

  private static String fileName(ArchiveOffsets.HeadEntry e) {
    if (e.flag() != ArchiveOffsets.OFFSET_POS_SET) {
      return "";
    }
    return "BLOBS".equals(e.desc()) ? "blobs.toc" : e.dumpId() + ".dat";
  }

  /** pg_dump's WriteStr. */
  private static void writeString(ByteArrayOutputStream out, int intSize, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    writeInt(out, intSize, b.length);
    out.write(b, 0, b.length);
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
