// `lowdb/adapters/FileSync`, required next to `lowdb` by matrix-bot-sdk's file storage providers.
module.exports = require('../index.js');
