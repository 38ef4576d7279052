package ask

import "strings"

// Spanish normalisation: words as they are after foldAccents (no accents).
// Chat spelling of Spain and Mexico, the many words for a parcel, a tracking
// number and a carrier, folded into one each so that a paraphrase with the
// other word still matches.
var esSynonyms = map[string]string{
	// chat spelling
	"q": "que", "k": "que", "ke": "que", "xq": "porque", "pq": "porque", "porq": "porque", "xk": "porque",
	"x": "por", "d": "de", "tb": "tambien", "tmb": "tambien", "tbn": "tambien",
	"porfa": "favor", "porfis": "favor", "xfa": "favor", "xfavor": "favor", "plis": "favor", "pls": "favor",
	"toy": "estoy", "ta": "esta", "pa": "para", "pal": "para", "nd": "nada", "ntp": "nada",
	"hola": "hola", "wey": "oye", "guey": "oye", "tio": "oye",
	// negation
	"nunca": "no", "jamas": "no", "nada": "no", "ningun": "no", "ninguno": "no", "ninguna": "no", "tampoco": "no",
	// a parcel
	"paquetes": "paquete", "envio": "paquete", "envios": "paquete", "bulto": "paquete", "bultos": "paquete",
	"caja": "paquete", "cajas": "paquete", "encomienda": "paquete", "encomiendas": "paquete", "paqueteria": "transportista",
	// tracking and its number
	"rastreo": "seguimiento", "tracking": "seguimiento", "trackeo": "seguimiento", "localizador": "seguimiento",
	"rastreos": "seguimiento", "seguimientos": "seguimiento",
	"rastrear": "seguir", "trackear": "seguir", "localizar": "seguir",
	"guias": "guia", "codigo": "numero", "codigos": "numero", "numeros": "numero", "num": "numero", "nro": "numero", "n": "numero",
	// who carries it: questions about one carrier teach about all
	"mensajeria": "transportista", "mensajerias": "transportista", "paqueterias": "transportista",
	"transportistas": "transportista", "courier": "transportista", "empresa": "transportista",
	"seur": "transportista", "mrw": "transportista", "gls": "transportista", "nacex": "transportista",
	"estafeta": "transportista", "redpack": "transportista", "dhl": "transportista", "ups": "transportista",
	"fedex": "transportista", "dpd": "transportista", "usps": "transportista", "ctt": "transportista",
	"tipsa": "transportista", "envia": "transportista", "zeleris": "transportista", "ontrac": "transportista",
	// messages
	"mail": "correo", "email": "correo", "emails": "correo", "mails": "correo", "e": "correo",
	"notificacion": "aviso", "notificaciones": "aviso", "avisos": "aviso", "alerta": "aviso", "alertas": "aviso",
	"mensaje": "aviso", "mensajes": "aviso",
	// lockers
	"taquilla": "locker", "taquillas": "locker", "casillero": "locker", "casilleros": "locker", "lockers": "locker",
	"citypaq": "locker", "consigna": "locker", "buzon": "buzon",
	// phone
	"cel": "telefono", "celular": "telefono", "movil": "telefono", "tel": "telefono", "tlf": "telefono", "telf": "telefono",
	// the delivery person
	"repartidor": "repartidor", "cartero": "repartidor", "mensajero": "repartidor", "conductor": "repartidor", "chofer": "repartidor",
	// damage
	"roto": "danado", "rota": "danado", "rotos": "danado", "estropeado": "danado", "aplastado": "danado",
	"aplastada": "danado", "abollado": "danado", "golpeado": "danado", "danada": "danado", "danados": "danado",
	// meaning
	"significa": "significar", "significado": "significar", "quiere": "querer",
}

// esCommon are Spanish words known without training data (so the typo
// fixer leaves them alone).
var esCommon = strings.Fields(`a al algo alguien algun alguna ante antes aqui asi aun ayer bien cada casa como con cual cuales
cuando cuanto cuantos de del desde donde dos el ella ellos en entre era es esa ese eso esta estaba estan estar este esto
fue ha hace hacer han has hasta hay hoy la las le les lo los ma mas me mi mis mucho muy manana ni no nos o otra otro para pero
poco por porque puede puedo pues que quien se sea segun ser si sin sobre solo son su sus tambien tan te tengo tiene todavia todo
todos tu tus un una uno unos ya yo semana semanas dia dias hora horas mes meses lunes martes miercoles jueves viernes sabado domingo
gracias hola favor oye bueno vale ok`)
