package demo;

/** Reads the clock five times: each run sees other values, a replay the recorded ones. */
public class Loop {
    public static void main(String[] args) {
        long total = 0;
        StringBuilder seen = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            long t = System.nanoTime();
            int v = (int) (t % 1000);
            total += v;
            System.out.println("i=" + i + " v=" + v);
            seen.append(v).append(',');
        }
        System.out.println("total=" + total);
    }
}
