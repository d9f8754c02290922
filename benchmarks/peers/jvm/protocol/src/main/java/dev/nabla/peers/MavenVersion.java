package dev.nabla.peers;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** A library's version as its jar's Maven metadata gives it: not every jar's manifest says. */
public final class MavenVersion {
    private MavenVersion() {}

    /** The version of {@code group:artifact} on the classpath, or "?". */
    public static String of(String group, String artifact) {
        String res = "/META-INF/maven/" + group + "/" + artifact + "/pom.properties";
        try (InputStream in = MavenVersion.class.getResourceAsStream(res)) {
            if (in == null) {
                return "?";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "?");
        } catch (IOException e) {
            return "?";
        }
    }
}
