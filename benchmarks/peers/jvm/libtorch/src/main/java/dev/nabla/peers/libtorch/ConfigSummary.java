package dev.nabla.peers.libtorch;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** libtorch's {@code show_config()}, many lines, as one: its listed components, and the BLAS it was built with. */
final class ConfigSummary {
    private static final Pattern SETTING =
            Pattern.compile("\\b(BLAS_INFO|LAPACK_INFO|USE_MKL|USE_MKLDNN|USE_OPENMP)=([^,\\s]*)");

    private ConfigSummary() {}

    static String of(String config) {
        List<String> parts = new ArrayList<>();
        for (String line : config.split("\n")) {
            String s = line.strip();
            if (s.startsWith("- ") && !s.startsWith("- Build settings")) {
                parts.add(s.substring(2).strip());
            }
        }
        Matcher m = SETTING.matcher(config);
        while (m.find()) {
            parts.add(m.group(1) + "=" + m.group(2));
        }
        return String.join("; ", parts);
    }
}
