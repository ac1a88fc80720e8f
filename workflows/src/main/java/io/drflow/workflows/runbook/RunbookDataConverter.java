package io.drflow.workflows.runbook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drflow.workflows.codec.AesGcmPayloadCodec;
import io.drflow.workflows.codec.PayloadKeys;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.CodecDataConverter;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DataConverterException;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.common.converter.JacksonJsonPayloadConverter;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.List;

/**
 * The data converter drflow's workers use: Temporal's default, except that a runbook input whose
 * payload is not JSON at all (a client sending {@code {"service": shop}}) becomes an input with an
 * InvalidInput problem. Without it the SDK fails the first workflow task over and over, and the
 * run sits "Running" instead of failing. With payload encryption configured, payloads go through
 * {@link AesGcmPayloadCodec} on their way to and from Temporal.
 */
public final class RunbookDataConverter {

  private RunbookDataConverter() {}

  public static DataConverter create() {
    return DefaultDataConverter.newDefaultInstance().withPayloadConverterOverrides(new LenientJson());
  }

  /**
   * The same converter with every payload encrypted by {@code keys} (null: not encrypted). Worker
   * and drctl must both use it with the same keys: each end reads what the other wrote.
   */
  public static DataConverter create(PayloadKeys keys) {
    if (keys == null) {
      return create();
    }
    return new CodecDataConverter(create(), List.of(new AesGcmPayloadCodec(keys)));
  }

  static final class LenientJson extends JacksonJsonPayloadConverter {

    private final ObjectMapper mapper = JacksonJsonPayloadConverter.newDefaultObjectMapper();

    @Override
    public <T> T fromData(Payload content, Class<T> valueClass, Type valueType) {
      try {
        return super.fromData(content, valueClass, valueType);
      } catch (DataConverterException e) {
        if (!JsonInput.Lenient.class.isAssignableFrom(valueClass)) {
          throw e;
        }
        String notJson = parseError(content);
        if (notJson == null) {
          throw e; // valid JSON the input could not take: JsonInput reports that itself
        }
        return mapper.convertValue(
            mapper.createObjectNode().put(JsonInput.NOT_JSON, notJson), mapper.constructType(valueType));
      }
    }

    /** Why the payload is not JSON, or null when it is. */
    private String parseError(Payload content) {
      try {
        mapper.readTree(content.getData().toByteArray());
        return null;
      } catch (JsonProcessingException e) {
        var at = e.getLocation();
        return e.getOriginalMessage().lines().findFirst().orElse("")
            + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr());
      } catch (IOException e) {
        return e.getMessage();
      }
    }
  }
}
