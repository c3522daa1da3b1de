package dev.retrace.cli;

import java.util.Map;
import picocli.CommandLine;

/** What {@code retrace} prints without arguments: how to use it, by example. */
final class Tutorial {
    private Tutorial() {}

    static String text(CommandLine retrace) {
        StringBuilder commands = new StringBuilder();
        for (Map.Entry<String, CommandLine> verb : retrace.getSubcommands().entrySet()) {
            String[] description = verb.getValue().getCommandSpec().usageMessage().description();
            String first = description.length == 0 ? "" : description[0];
            commands.append(String.format("  %-12s %s%n", verb.getKey(), first));
        }
        return """
                Retrace for the JVM records a Java process once and replays it exactly: offline, as often
                as you need, with any Java debugger attached. The recording holds what the program read
                (clock, files, sockets, environment, thread order), so a replay needs none of it.

                Record a run (what follows -- is what you would give to java):

                  retrace record -o run.retrace -- -jar app.jar --port 0

                or without this tool, e.g. in a CI job that keeps only failed runs:

                  java -agentpath:$(retrace agent-path)=record,tape=run.retrace,save_on=failure -jar app.jar

                or install it once for your shell, and record any JVM (and the JVMs it starts) by name:

                  retrace install
                  RETRACE_RECORDING=$PWD/run.retrace java -jar app.jar

                Replay it; a recording is executable:

                  ./run.retrace
                  retrace replay run.retrace --pid 4242

                Make it self-contained, to replay it where its jars and classes are not (a CI artifact,
                a bug report): the pack adds them, checked and stored once each; the JDK is not packed.

                  retrace pack run.retrace
                  retrace record --pack -o run.retrace -- -jar app.jar

                Ask a failed run why it failed (the exception, its frames' locals, what fed it):

                  retrace why run.retrace

                Look inside it:

                  retrace summary run.retrace                  processes, exit status, calls, completeness
                  retrace print run.retrace                    the recorded events, one per line
                  retrace print --json run.retrace
                  retrace --recording run.retrace --list_pids  the processes, root first
                  ./run.retrace --extract                      run.d/index.json and one run.d/<PID>.bin each

                Commands:
                """ + commands + """

                For a command's options: retrace help <command>, or retrace <command> --help
                """;
    }
}
