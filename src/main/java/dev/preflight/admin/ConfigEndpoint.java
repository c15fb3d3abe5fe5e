package dev.preflight.admin;

import dev.preflight.config.ConfigProblem;
import dev.preflight.config.Settings;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * {@code /config}: the settings in force right now (O2), read on every request since a reload
 * replaces them: {@code {"file", "hash", "loadedAt", "config", "warnings", "restartNeeded"}}.
 * {@code file} is absolute, or null when no file was read; {@code config} is the resolved {@code
 * preflight} object, defaults included; {@code restartNeeded} names the keys whose values there are
 * not the ones in force, because only a restart applies them (the addresses bound, say): it is
 * measured against the settings the admin server started with, which are the process's, since the
 * admin server starts once, with the proxy.
 */
final class ConfigEndpoint implements AdminEndpoint {
    private final Supplier<Settings> settings;
    // The settings the process started with: those in force when the admin server started.
    private Settings started;

    ConfigEndpoint(Supplier<Settings> settings) {
        this.settings = settings;
        this.started = settings.get();
    }

    @Override
    public String path() {
        return "/config";
    }

    @Override
    public FullHttpResponse handle(QueryStringDecoder request, ByteBufAllocator alloc) {
        Settings current = settings.get();
        JsonWriter json = new JsonWriter()
                .beginObject()
                .field(
                        "file",
                        current.file()
                                .map(file -> file.toAbsolutePath().normalize())
                                .map(Path::toString)
                                .orElse(null))
                .field("hash", current.hash())
                .field("loadedAt", current.loadedAt().toString())
                .name("config")
                .rawValue(current.effectiveJson())
                .name("warnings")
                .beginArray();
        for (ConfigProblem warning : current.warnings()) {
            json.value(warning.render());
        }
        json.endArray().name("restartNeeded").beginArray();
        if (started == null) {
            started = current; // a server started before any settings (tests): the first seen
        }
        for (String key : current.restartNeeded(started)) {
            json.value(key);
        }
        return AdminResponses.json(
                alloc, HttpResponseStatus.OK, json.endArray().endObject().toString());
    }
}
