package io.drflow.activities.storage;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 helpers; the JDK's implementation, which uses the CPU's SHA instructions. */
public final class Sha256 {

  private Sha256() {}

  public static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  public static String hex(byte[] data) {
    return hex(data, 0, data.length);
  }

  public static String hex(byte[] data, int offset, int length) {
    MessageDigest d = newDigest();
    d.update(data, offset, length);
    return HexFormat.of().formatHex(d.digest());
  }
}
