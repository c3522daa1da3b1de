import java.util.concurrent.ThreadLocalRandom;

/**
 * The Retrace quick start: a batch planner that fails now and then.
 *
 * It splits the day's orders over a number of shards that an "autoscaler" picks at random, and
 * keeps one shard in reserve. When the autoscaler picks a single shard, nothing is left to plan
 * with and the division fails: one run in eight, never when you are watching.
 */
public final class ShardPlanner {
  public static void main(String[] args) {
    int orders = 10_000;
    int shards = 1 + ThreadLocalRandom.current().nextInt(8);
    System.out.println("planning " + orders + " orders over " + shards + " shards");
    int working = shards - 1;  // one shard stays in reserve
    int perShard = orders / working;
    System.out.println("each working shard takes " + perShard + " orders");
  }
}
