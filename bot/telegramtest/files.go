package telegramtest

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Files: photos and documents users send, getFile, and the file download
// at <server>/file/bot<token>/<file_path>, as the Bot API serves them.

// Photo is one size of a photo to send: its bytes (JPEG, as Telegram
// re-encodes photos) and its dimensions.
type Photo struct {
	Data          []byte
	Width, Height int
}

// maxDownload is the Bot API's download limit for bots.
const maxDownload = 20 << 20

// SendPhoto queues a photo message with its sizes (Telegram sends several,
// smallest first), a caption and, for an album, its media group id.
func (s *Server) SendPhoto(chat Chat, from User, sizes []Photo, caption, mediaGroup string) Message {
	var ps []PhotoSize
	for _, p := range sizes {
		id := s.addFile(p.Data, "photos/file_"+strconv.Itoa(s.fileCount())+".jpg")
		ps = append(ps, PhotoSize{FileID: id, FileUniqueID: "u" + id, Width: p.Width, Height: p.Height, FileSize: len(p.Data)})
	}
	return s.sendMedia(chat, from, caption, mediaGroup, func(m *Message) { m.Photo = ps })
}

// SendDocument queues a file message. size, when not 0, is the file size
// Telegram announces (a file over 20 MB cannot be downloaded by bots).
func (s *Server) SendDocument(chat Chat, from User, data []byte, name, mime, caption string, size int64) Message {
	id := s.addFile(data, "documents/"+name)
	if size == 0 {
		size = int64(len(data))
	}
	doc := &Document{FileID: id, FileUniqueID: "u" + id, FileName: name, MimeType: mime, FileSize: size}
	return s.sendMedia(chat, from, caption, "", func(m *Message) { m.Document = doc })
}

func (s *Server) sendMedia(chat Chat, from User, caption, mediaGroup string, set func(*Message)) Message {
	s.mu.Lock()
	s.nextMsgID++
	m := Message{MessageID: s.nextMsgID, From: &from, Chat: chat, Date: time.Now().Unix(),
		Caption: caption, CaptionEntities: Entities(caption), MediaGroupID: mediaGroup}
	s.mu.Unlock()
	set(&m)
	s.Push(Update{Message: &m})
	return m
}

type storedFile struct {
	data []byte
	path string
}

func (s *Server) fileCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.files)
}

func (s *Server) addFile(data []byte, path string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.files == nil {
		s.files = map[string]storedFile{}
	}
	id := "F" + strconv.Itoa(len(s.files)+1) + "x"
	s.files[id] = storedFile{data: data, path: path}
	return id
}

// Downloads returns the file paths the bot downloaded, in order.
func (s *Server) Downloads() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.downloads...)
}

// getFile answers like the Bot API: a file_path for files up to 20 MB,
// 400 "file is too big" above.
func (s *Server) getFile(p map[string]string) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[p["file_id"]]
	if !ok {
		return nil, &apiError{code: 400, desc: "Bad Request: invalid file_id"}
	}
	if len(f.data) > maxDownload {
		return nil, &apiError{code: 400, desc: "Bad Request: file is too big"}
	}
	return File{FileID: p["file_id"], FileUniqueID: "u" + p["file_id"], FileSize: int64(len(f.data)), FilePath: f.path}, nil
}

// serveFile serves GET /file/bot<token>/<file_path>.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request) {
	path, ok := strings.CutPrefix(r.URL.Path, "/file/bot"+s.token+"/")
	if !ok {
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
		return
	}
	s.mu.Lock()
	var data []byte
	found := false
	for _, f := range s.files {
		if f.path == path {
			data, found = f.data, true
			break
		}
	}
	if found {
		s.downloads = append(s.downloads, path)
	}
	s.mu.Unlock()
	if !found {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	_, _ = w.Write(data)
}
