package io.drflow.activities.storage;

import java.util.List;

/**
 * Sees the raw stream of an upload in order, on the thread that reads it, and may return {@link
 * RawPatch}es for the chunk index when the stream ends. It must be cheap and must not fail the
 * upload: the uploader stops calling an observer that throws, and then records no patches.
 */
public interface RawObserver {

  RawObserver NONE =
      new RawObserver() {
        @Override
        public void accept(byte[] b, int off, int len) {}

        @Override
        public List<RawPatch> finish() {
          return List.of();
        }
      };

  void accept(byte[] b, int off, int len);

  List<RawPatch> finish();
}
