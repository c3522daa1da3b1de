// Test runs: how a JUnit Platform run (a Maven Surefire fork, the console launcher) tells the agent
// that a test failed. A Surefire fork exits with status 0 when its tests fail, so save_on=failure
// cannot go by the exit status there. lib/retrace-junit.jar holds a TestExecutionListener that the
// JUnit launcher finds through ServiceLoader once the agent has put the jar on the system class
// path; the listener's one native method is exported by this library (the JVM looks for natives in
// agent libraries too) and lands in onTestReport.
#pragma once

#include <jni.h>
#include <jvmti.h>

#include <string>

namespace retrace::agent::test_runs {

/** The listener jar, next to the agent library: <dist>/lib/retrace-junit.jar. */
std::string listenerJar(const std::string& agentPath);

/** Whether a recorded code file is the listener jar (the recording put it on the class path). */
bool isListenerJar(const std::string& path);

/**
 * Puts the listener jar on the system class path (live phase: the JVM runs
 * appendToClassPathForInstrumentation, leaving java.class.path as the program set it). Done at
 * VMInit in both sessions alike, so that the Java code it runs is part of the replayed program.
 */
bool addListener(jvmtiEnv* jvmti, const std::string& jar);

/** A Maven Surefire fork: its standard output is Surefire's event channel to Maven, not text. */
bool isSurefireFork(const std::string& javaCommand);

/**
 * The listener's report0(String text, boolean failed). Recording: a failed test keeps the
 * recording under save_on=failure. Replay: the text goes to the terminal, one "retrace: " line per
 * line; the recorded run computed the same text.
 */
void onTestReport(JNIEnv* env, jstring text, jboolean failed);

}  // namespace retrace::agent::test_runs
