# Zoo backend: a Rack application on Puma (puma -b tcp://127.0.0.1:PORT rack_app.ru). Answers with
# each name in ZOO_NAMES as a Rack application reads it, env['HTTP_X_USER_ID'], and every HTTP_*
# entry of env.
require 'json'

NAMES = ENV.fetch('ZOO_NAMES').split(',')

# Header bytes are not necessarily UTF-8; read them as Latin-1 so that JSON can carry any of them.
def text(value)
  value.nil? ? nil : value.to_s.b.force_encoding('ISO-8859-1').encode('UTF-8')
end

run lambda { |env|
  read = NAMES.to_h { |n| [n, text(env['HTTP_' + n.upcase.tr('-', '_')])] }
  seen = env.select { |k, _| k.start_with?('HTTP_') }.to_h { |k, v| [text(k), text(v)] }
  [200, { 'Content-Type' => 'application/json' }, [JSON.generate({ 'read' => read, 'seen' => seen })]]
}
