<?php
// Zoo backend: PHP's built-in web server (php -S 127.0.0.1:PORT php_app.php). Answers with each name
// in ZOO_NAMES as a PHP application reads it, $_SERVER['HTTP_X_USER_ID'], and every HTTP_* entry
// of $_SERVER.
$read = [];
foreach (explode(',', getenv('ZOO_NAMES')) as $name) {
    $read[$name] = $_SERVER['HTTP_' . strtoupper(str_replace('-', '_', $name))] ?? null;
}
$seen = array_filter($_SERVER, fn ($key) => str_starts_with($key, 'HTTP_'), ARRAY_FILTER_USE_KEY);
header('Content-Type: application/json');
echo json_encode(['read' => $read, 'seen' => (object) $seen], JSON_INVALID_UTF8_SUBSTITUTE);
