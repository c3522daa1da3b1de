package corpus;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.reflect.TypeToken;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Gson round-tripping random data: records of random people (reflection on their fields), maps
 * and lists, serialised to JSON and parsed back, checked equal. Prints the seed, the JSON's size
 * and a hash of it, and the time it took.
 */
public final class GsonDriver {
  static final class Address {
    String street;
    int number;
    double[] location;
  }

  static final class Person {
    String name;
    long id;
    boolean active;
    List<String> tags;
    Map<String, Integer> scores;
    Address address;
  }

  public static void main(String[] args) {
    long start = System.nanoTime();
    long seed = System.currentTimeMillis() ^ System.nanoTime();
    Random random = new Random(seed);
    List<Person> people = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      Person person = new Person();
      person.name = word(random) + " " + word(random);
      person.id = random.nextLong();
      person.active = random.nextBoolean();
      person.tags = new ArrayList<>();
      for (int t = random.nextInt(5); t > 0; t--) {
        person.tags.add(word(random));
      }
      person.scores = new HashMap<>();
      for (int s = random.nextInt(4); s > 0; s--) {
        person.scores.put(word(random), random.nextInt(1000));
      }
      person.address = new Address();
      person.address.street = word(random) + " street";
      person.address.number = random.nextInt(500);
      person.address.location = new double[] {random.nextDouble() * 180 - 90, random.nextDouble() * 360 - 180};
      people.add(person);
    }
    Gson gson = new GsonBuilder().serializeSpecialFloatingPointValues().create();
    String json = gson.toJson(people);
    List<Person> back = gson.fromJson(json, new TypeToken<List<Person>>() {}.getType());
    String again = gson.toJson(back);
    System.out.println("seed " + seed);
    System.out.println("people " + back.size() + ", json chars " + json.length() + ", hash "
        + json.hashCode() + ", round trip " + (json.equals(again) ? "equal" : "DIFFERENT"));
    System.out.println("elapsed ms " + (System.nanoTime() - start) / 1_000_000);
  }

  static String word(Random random) {
    StringBuilder word = new StringBuilder();
    for (int i = 3 + random.nextInt(8); i > 0; i--) {
      word.append((char) ('a' + random.nextInt(26)));
    }
    return word.toString();
  }
}
