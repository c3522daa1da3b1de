package corpus;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Random;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.IntPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.queryparser.classic.QueryParser;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

/**
 * Lucene: a few thousand generated documents indexed into FSDirectory.open(./index) with the
 * English analyzer (several segments, a forced merge), then parsed queries, a range and a sort.
 */
public class LuceneDriver {
    static final String[] WORDS = ("river mountain quick silent harbor lantern copper meadow winter signal "
            + "garden thunder marble orbit velvet canyon ember glacier falcon prism harvest beacon tide "
            + "compass cedar running jumps jumped walking walks bridges castle").split(" ");

    public static void main(String[] args) throws Exception {
        long start = System.nanoTime();
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        System.out.println("seed " + seed);
        Path path = Paths.get("index");
        EnglishAnalyzer analyzer = new EnglishAnalyzer();
        try (Directory dir = FSDirectory.open(path)) {
            System.out.println("directory " + dir.getClass().getSimpleName());
            IndexWriterConfig config = new IndexWriterConfig(analyzer).setRAMBufferSizeMB(2);
            try (IndexWriter writer = new IndexWriter(dir, config)) {
                for (int i = 0; i < 4000; i++) {
                    StringBuilder body = new StringBuilder();
                    int n = 8 + random.nextInt(40);
                    for (int w = 0; w < n; w++) {
                        body.append(WORDS[random.nextInt(WORDS.length)]).append(' ');
                    }
                    int year = 1990 + random.nextInt(35);
                    Document doc = new Document();
                    doc.add(new StringField("id", "doc" + i, Field.Store.YES));
                    doc.add(new TextField("body", body.toString(), Field.Store.NO));
                    doc.add(new IntPoint("year", year));
                    doc.add(new StoredField("year", year));
                    doc.add(new NumericDocValuesField("year", year));
                    writer.addDocument(doc);
                    if (i % 1000 == 999) {
                        writer.commit();
                    }
                }
                writer.forceMerge(1);
            }
            try (DirectoryReader reader = DirectoryReader.open(dir)) {
                IndexSearcher searcher = new IndexSearcher(reader);
                System.out.println("docs " + reader.numDocs() + ", segments " + reader.leaves().size());
                QueryParser parser = new QueryParser("body", analyzer);
                for (String q : new String[] {"river AND mountain", "\"quick silent\"", "jump* -winter",
                        "glacier~1 OR falcon^2", WORDS[random.nextInt(WORDS.length)] + " AND walks"}) {
                    Query query = parser.parse(q);
                    TopDocs top = searcher.search(query, 3);
                    StringBuilder line = new StringBuilder(q + " -> " + top.totalHits + ":");
                    for (ScoreDoc sd : top.scoreDocs) {
                        line.append(' ').append(searcher.storedFields().document(sd.doc).get("id"))
                                .append(String.format("(%.3f)", sd.score));
                    }
                    System.out.println(line);
                }
                Query range = IntPoint.newRangeQuery("year", 2000, 2009);
                TopDocs newest = searcher.search(range, 3, new Sort(new SortField("year", SortField.Type.INT, true)));
                StringBuilder line = new StringBuilder("2000s -> " + newest.totalHits + ":");
                for (ScoreDoc sd : newest.scoreDocs) {
                    Document d = searcher.storedFields().document(sd.doc);
                    line.append(' ').append(d.get("id")).append('/').append(d.get("year"));
                }
                System.out.println(line);
            }
        }
        System.out.printf("done in %d ms%n", (System.nanoTime() - start) / 1_000_000);
    }
}
