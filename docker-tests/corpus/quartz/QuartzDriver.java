package corpus;

import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.Scheduler;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;

/**
 * A Quartz scheduler (RAMJobStore, a 3-thread pool): three jobs on repeating simple triggers a
 * few tens of milliseconds apart, run until each has fired its count, then a clean shutdown.
 */
public class QuartzDriver {
    static final AtomicInteger FIRED = new AtomicInteger();
    static CountDownLatch done;

    public static class Tick implements Job {
        @Override
        public void execute(JobExecutionContext context) {
            int n = FIRED.incrementAndGet();
            String name = context.getJobDetail().getKey().getName();
            long late = System.currentTimeMillis() - context.getScheduledFireTime().getTime();
            if (n % 5 == 1) {
                System.out.println("fire " + n + " " + name + " late " + late + " ms, next " +
                        (context.getNextFireTime() != null));
            }
            done.countDown();
        }
    }

    public static void main(String[] args) throws Exception {
        long start = System.nanoTime();
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        System.out.println("seed " + seed);
        Properties props = new Properties();
        props.setProperty("org.quartz.scheduler.instanceName", "corpus");
        props.setProperty("org.quartz.threadPool.threadCount", "3");
        props.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
        props.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        Scheduler scheduler = new StdSchedulerFactory(props).getScheduler();
        int total = 0;
        for (int j = 0; j < 3; j++) {
            int repeats = 5 + random.nextInt(6);
            total += repeats + 1;
            JobDetail job = JobBuilder.newJob(Tick.class).withIdentity("job" + j).build();
            Trigger trigger = TriggerBuilder.newTrigger().withIdentity("trigger" + j).startNow()
                    .withSchedule(SimpleScheduleBuilder.simpleSchedule()
                            .withIntervalInMilliseconds(40 + random.nextInt(40)).withRepeatCount(repeats))
                    .build();
            scheduler.scheduleJob(job, trigger);
        }
        done = new CountDownLatch(total);
        scheduler.start();
        boolean all = done.await(30, TimeUnit.SECONDS);
        scheduler.shutdown(true);
        System.out.println("fired " + FIRED.get() + " of " + total + " all " + all + ", shut down " + scheduler.isShutdown());
        System.out.printf("done in %d ms%n", (System.nanoTime() - start) / 1_000_000);
    }
}
