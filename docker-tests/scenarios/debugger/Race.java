import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Points from a seeded Random and a counter two threads race on: a replay to debug forwards. */
public final class Race {
  static int counter;

  record Point(int x, int y) {}

  public static void main(String[] args) throws Exception {
    List<Point> points = new ArrayList<>();
    long seed = System.nanoTime();
    Random random = new Random(seed);
    for (int i = 0; i < 3; i++) points.add(new Point(random.nextInt(100), random.nextInt(100)));
    System.out.println("points " + points);
    Thread worker = new Thread(Race::count, "worker");
    worker.start();
    count();
    worker.join();
    int total = 0;
    for (Point p : points) total += p.x() + p.y();
    System.out.println("total " + total + " counter " + counter + " seed " + seed);
  }

  static void count() {
    for (int i = 0; i < 1000; i++) {
      counter++;
    }
  }
}
