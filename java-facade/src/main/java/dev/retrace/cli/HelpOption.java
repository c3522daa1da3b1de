package dev.retrace.cli;

import picocli.CommandLine.Option;

/** {@code -h, --help} for every verb. */
final class HelpOption {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Print this help and exit.")
    boolean help;
}
