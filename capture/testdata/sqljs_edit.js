// Runs an SQL script on a database file with sql.js, an SQLite compiled to
// JavaScript, and writes the file back: an old SQLite as another client.
//   node sqljs_edit.js SQLJS_MODULE_DIR DB_FILE SQL_FILE
// Prints the SQLite version on the first line. sql.js 0.x loads
// synchronously; 1.x returns a promise.
const fs = require('fs');
const [moduleDir, dbFile, sqlFile] = process.argv.slice(2);
function run(S) {
  const db = new S.Database(fs.readFileSync(dbFile));
  console.log(db.exec('SELECT sqlite_version()')[0].values[0][0]);
  try {
    db.exec(fs.readFileSync(sqlFile, 'utf8'));
  } catch (e) {
    console.error('sql.js: ' + e.message);
    process.exit(1);
  }
  fs.writeFileSync(dbFile, Buffer.from(db.export()));
}
const S = require(moduleDir);
if (typeof S === 'function') {
  S().then(run, (e) => { console.error(e); process.exit(1); });
} else {
  run(S);
}
