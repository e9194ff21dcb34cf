package io.streamssl.cli.doctor;

/**
 * How DJL 0.35's PyTorch {@code LibUtils} found the libtorch it loaded. It tries, in this order:
 * {@code PYTORCH_LIBRARY_PATH} (a directory holding libtorch.so), then a {@code pytorch-native-*} jar on the
 * classpath (extracted into the engine cache), then a download into the engine cache, which is what happens when
 * no native jar is on the classpath or {@code PYTORCH_VERSION} names another version than the jar's.
 */
public enum LibtorchRoute {

    OVERRIDE_PATH("PYTORCH_LIBRARY_PATH (STREAMSSL_LIBTORCH): an installed libtorch"),
    CLASSPATH_JAR("the pytorch-native jar on the classpath, extracted into the engine cache"),
    DOWNLOAD_CACHE("downloaded by DJL into the engine cache (no native jar on the classpath)");

    private final String description;

    LibtorchRoute(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }
}
