package io.drflow.cli;

/** Who is at the keyboard, for reports. */
final class Users {

  private Users() {}

  static String name(String given) {
    if (given != null && !given.isBlank()) {
      return given.strip();
    }
    String user = System.getenv("USER");
    return user == null || user.isBlank() ? System.getProperty("user.name", "unknown") : user;
  }
}
