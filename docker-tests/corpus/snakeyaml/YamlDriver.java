package corpus;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * SnakeYAML on generated data: a random document tree (maps, lists, strings, numbers, booleans,
 * nulls) dumped to YAML in block and flow style, loaded back, checked equal. Prints the seed,
 * sizes, a hash and the time it took.
 */
public final class YamlDriver {
  public static void main(String[] args) {
    long start = System.nanoTime();
    long seed = System.nanoTime();
    Random random = new Random(seed);
    List<Object> documents = new ArrayList<>();
    for (int i = 0; i < 800; i++) {
      documents.add(node(random, 0));
    }
    for (DumperOptions.FlowStyle style : new DumperOptions.FlowStyle[] {
        DumperOptions.FlowStyle.BLOCK, DumperOptions.FlowStyle.FLOW}) {
      DumperOptions options = new DumperOptions();
      options.setDefaultFlowStyle(style);
      LoaderOptions loaderOptions = new LoaderOptions();
      loaderOptions.setCodePointLimit(64 * 1024 * 1024);
      Yaml yaml = new Yaml(options);
      String text = yaml.dump(documents);
      Object back = new Yaml(loaderOptions).load(text);
      System.out.println(style + ": chars " + text.length() + ", hash " + text.hashCode() + ", round trip "
          + (documents.equals(back) ? "equal" : "DIFFERENT"));
    }
    System.out.println("seed " + seed);
    System.out.println("elapsed ms " + (System.nanoTime() - start) / 1_000_000);
  }

  static Object node(Random random, int depth) {
    int kind = depth > 4 ? 2 + random.nextInt(5) : random.nextInt(7);
    switch (kind) {
      case 0: {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = random.nextInt(6); i > 0; i--) {
          map.put(word(random), node(random, depth + 1));
        }
        return map;
      }
      case 1: {
        List<Object> list = new ArrayList<>();
        for (int i = random.nextInt(6); i > 0; i--) {
          list.add(node(random, depth + 1));
        }
        return list;
      }
      case 2: return word(random) + (random.nextBoolean() ? ": with colon" : " #not a comment");
      case 3: return random.nextInt();
      case 4: return random.nextBoolean();
      case 5: return random.nextInt(100) / 4.0;
      default: return null;
    }
  }

  static String word(Random random) {
    StringBuilder word = new StringBuilder();
    for (int i = 2 + random.nextInt(9); i > 0; i--) {
      word.append((char) ('a' + random.nextInt(26)));
    }
    return word.toString();
  }
}
