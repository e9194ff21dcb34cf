package io.streamssl.connectors.decode;

import java.io.IOException;
import javax.imageio.stream.ImageInputStreamImpl;

/**
 * An {@link javax.imageio.stream.ImageInputStream} over a byte array, without the cache and the disposer that
 * {@link javax.imageio.stream.MemoryCacheImageInputStream} adds for arbitrary streams: registering with the JDK's
 * {@code sun.java2d.Disposer} takes a JVM-wide lock per image, which decoding threads contend on, and the cache
 * only copies bytes that are already in memory.
 */
final class BytesImageInputStream extends ImageInputStreamImpl {

    private final byte[] data;

    BytesImageInputStream(byte[] data) {
        this.data = data;
    }

    @Override
    public int read() throws IOException {
        checkClosed();
        bitOffset = 0;
        return streamPos < data.length ? data[(int) streamPos++] & 0xFF : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        checkClosed();
        if (off < 0 || len < 0 || off + len > b.length) {
            throw new IndexOutOfBoundsException("off " + off + ", len " + len + " for a buffer of " + b.length);
        }
        bitOffset = 0;
        if (len == 0) {
            return 0;
        }
        if (streamPos >= data.length) {
            return -1;
        }
        int n = (int) Math.min(len, data.length - streamPos);
        System.arraycopy(data, (int) streamPos, b, off, n);
        streamPos += n;
        return n;
    }

    @Override
    public long length() {
        return data.length;
    }
}
