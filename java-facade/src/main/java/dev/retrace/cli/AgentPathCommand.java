package dev.retrace.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
        name = "agent-path",
        description = {
            "Prints the absolute path of the agent, libretrace.so.",
            "",
            "For recording without this tool: java -agentpath:<path>=record,tape=FILE ... "
                    + "Agent options (comma-separated): record | replay, tape=PATH, save_on=always|failure, "
                    + "stacktraces, verbose; for replay also pid=N.",
        },
        footerHeading = "%nExample usage:%n%n",
        footer = {
            " java -agentpath:$(retrace agent-path)=record,tape=run.retrace -jar app.jar",
            "",
            " export JAVA_TOOL_OPTIONS=\"-agentpath:$(retrace agent-path)=record,tape=$PWD/ci.retrace,save_on=failure\"",
        })
final class AgentPathCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Override
    public Integer call() {
        Path agent = ((RetraceCommand) spec.parent().userObject()).dist.builtAgent();
        spec.commandLine().getOut().println(agent.toAbsolutePath());
        return Main.EXIT_OK;
    }
}
