package seventeen

import (
	"github.com/trackbot/trackbot/tracker/carrierhttp"
)

// The JSON 17TRACK speaks. Every scalar goes through the lenient carrierhttp
// types: keys and codes arrive as numbers or strings, and objects go missing.

type numberItem struct {
	Number string `json:"number"`
}

type envelope[T any] struct {
	Code carrierhttp.Int `json:"code"`
	Data struct {
		Accepted carrierhttp.List[T]         `json:"accepted"`
		Rejected carrierhttp.List[rejection] `json:"rejected"`
		Errors   carrierhttp.List[apiErr]    `json:"errors"`
	} `json:"data"`
}

func (e *envelope[T]) apiError() *APIError {
	if e.Code == CodeOK {
		return nil
	}
	ae := &APIError{Code: int(e.Code)}
	if len(e.Data.Errors) > 0 {
		ae.Message = string(e.Data.Errors[0].Message)
	}
	return ae
}

type apiErr struct {
	Code    carrierhttp.Int    `json:"code"`
	Message carrierhttp.String `json:"message"`
}

type rejection struct {
	Number carrierhttp.String `json:"number"`
	Error  apiErr             `json:"error"`
}

type registered struct {
	Number  carrierhttp.String `json:"number"`
	Carrier carrierhttp.Int    `json:"carrier"`
}

type trackItem struct {
	Number    carrierhttp.String `json:"number"`
	Carrier   carrierhttp.Int    `json:"carrier"`
	TrackInfo *trackInfo         `json:"track_info"`
}

type trackInfo struct {
	LatestStatus *struct {
		Status         carrierhttp.String `json:"status"`
		SubStatus      carrierhttp.String `json:"sub_status"`
		SubStatusDescr carrierhttp.String `json:"sub_status_descr"`
	} `json:"latest_status"`
	LatestEvent *event `json:"latest_event"`
	TimeMetrics *struct {
		EstimatedDeliveryDate *struct {
			From carrierhttp.String `json:"from"`
			To   carrierhttp.String `json:"to"`
		} `json:"estimated_delivery_date"`
	} `json:"time_metrics"`
	MiscInfo *struct {
		ServiceType   carrierhttp.String `json:"service_type"`
		LocalProvider carrierhttp.String `json:"local_provider"`
		LocalNumber   carrierhttp.String `json:"local_number"`
	} `json:"misc_info"`
	Tracking *struct {
		Providers carrierhttp.List[provider] `json:"providers"`
	} `json:"tracking"`
}

type provider struct {
	Provider *struct {
		Key  carrierhttp.Int    `json:"key"`
		Name carrierhttp.String `json:"name"`
	} `json:"provider"`
	ServiceType carrierhttp.String      `json:"service_type"`
	Events      carrierhttp.List[event] `json:"events"`
}

type event struct {
	TimeISO     carrierhttp.String `json:"time_iso"`
	TimeUTC     carrierhttp.String `json:"time_utc"`
	Description carrierhttp.String `json:"description"`
	Location    carrierhttp.String `json:"location"`
	Stage       carrierhttp.String `json:"stage"`
	SubStatus   carrierhttp.String `json:"sub_status"`
	Address     *struct {
		Country carrierhttp.String `json:"country"`
		State   carrierhttp.String `json:"state"`
		City    carrierhttp.String `json:"city"`
	} `json:"address"`
}
