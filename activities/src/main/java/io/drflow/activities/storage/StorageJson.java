package io.drflow.activities.storage;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/** The one JSON mapping for documents drflow keeps in the bucket. */
public final class StorageJson {

  /**
   * Indented, because people read manifests in a console during an incident; unknown properties are
   * tolerated so a newer drflow's additions do not break an older reader.
   */
  public static final ObjectMapper MAPPER =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private StorageJson() {}
}
